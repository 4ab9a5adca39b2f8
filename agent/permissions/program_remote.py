"""Remote shells and copies: ssh, scp, sftp and rsync.

Connecting and copying is what they are for. What they start (``ssh host CMD``, ``ssh -o
ProxyCommand``, ``scp -S``, ``rsync -e``, ``sftp -b``) and what they delete (``rsync
--delete``) are escalations, which an allow rule for the program alone does not approve;
ssh, scp and rsync can run programs, so an option Harken does not know is judged as
running one.
"""

from __future__ import annotations

import re

from agent.permissions import program_known
from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    Options,
    Rule,
    remote_host,
    split,
    unknown_options,
    url_host,
)
from agent.permissions.program_launch import run_string, shell_commands

R, W, N, X = Effect.READ, Effect.WRITE, Effect.NETWORK, Effect.EXECUTE


_SSH_SHORT = "BbcDEeFIiJLlmOopQRSWw"
_SSH_RUNS = re.compile(
    r"\s*(proxycommand|localcommand|knownhostscommand|permitlocalcommand|"
    r"match|include|proxyusefdpass)\b",
    re.IGNORECASE,
)


def _ssh_options(tool: str, opts: Options, j: Judgement) -> None:
    """Options shared by ssh, scp and sftp that run local programs or other configs
    (for ssh, -S and -D are a socket and a port, not programs)."""
    for word, value in opts.found("-o"):
        if value is None or value.dynamic or _SSH_RUNS.match(value.text):
            j.escalate(X, f"{tool} -o can run a local command", word, value)
    programs = ("-F",) if tool == "ssh" else ("-F", "-S", "-D")
    for word, value in opts.found(*programs):
        j.escalate(X, f"{tool} uses another configuration or program", word, value)
    for word in unknown_options(opts, program_known.SSH if tool == "ssh" else program_known.SCP):
        j.escalate(X, f"{tool} {word.text} is an option Harken does not know", word)
    for jump in opts.values("-J"):
        for hop in jump.text.split(","):
            j.contact(remote_host(hop + ":") or hop.rsplit("@", 1)[-1] or UNKNOWN)


def judge_ssh(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, _SSH_SHORT, posix=True)
    j.raise_to(N, "connects to another computer")
    _ssh_options("ssh", opts, j)
    j.read(*opts.values("-i"))
    j.write(*opts.values("-E"))
    dest = opts.operands[0].text if opts.operands else "another computer"
    if not opts.operands or opts.operands[0].dynamic:
        j.contact(UNKNOWN)
    else:
        j.contact(url_host(dest, "ssh") or UNKNOWN)
    remote = list(opts.operands[1:])
    if remote:
        # The remote shell runs the words joined by spaces: a rule must spell them all out.
        code = " ".join(a.text for a in remote)
        launches = () if any(a.dynamic for a in remote) else shell_commands(code)
        j.escalate(X, f"ssh runs a command on {dest}: {code}", *remote, launches=launches)
    if opts.dynamic:
        j.escalate(X, "ssh has arguments known only at run time", *opts.moving)


_RSYNC_DELETES = (
    "--del",
    "--delete",
    "--delete-before",
    "--delete-during",
    "--delete-delay",
    "--delete-after",
    "--delete-excluded",
    "--delete-missing-args",
    "--remove-source-files",
)


def judge_copy_remote(name: str, args: list[Arg], j: Judgement) -> None:
    """scp and rsync: remote operands are hosts; local sources are read and a local
    destination written."""
    if name == "rsync":
        opts = split(
            args,
            "eBfTM",
            (
                "--rsh",
                "--rsync-path",
                "--files-from",
                "--exclude-from",
                "--include-from",
                "--password-file",
                "--log-file",
                "--backup-dir",
                "--temp-dir",
                "--partial-dir",
                "--write-batch",
                "--read-batch",
                "--only-write-batch",
                "--filter",
                "--exclude",
                "--include",
                "--chmod",
                "--remote-option",
                "--compare-dest",
                "--copy-dest",
                "--link-dest",
            ),
        )
        for word, value in opts.found("-e", "--rsh"):
            run_string(j, [word], value, "rsync -e runs a program")
        for word, value in opts.found("--rsync-path"):
            run_string(j, [word], value, "rsync --rsync-path runs a program on the other side")
        for word, _ in opts.found(*_RSYNC_DELETES):
            j.escalate(W, f"rsync {word.text} removes files", word)
        for word in unknown_options(opts, program_known.RSYNC):
            j.escalate(X, f"rsync {word.text} is an option Harken does not know", word)
        if opts.dynamic:
            j.escalate(X, "rsync has arguments known only at run time", *opts.moving)
        j.read(
            *opts.values(
                "--files-from",
                "--exclude-from",
                "--include-from",
                "--password-file",
                "--read-batch",
            )
        )
        j.write(
            *opts.values(
                "--log-file",
                "--backup-dir",
                "--temp-dir",
                "--partial-dir",
                "--write-batch",
                "--only-write-batch",
            )
        )
    else:
        opts = split(args, "cFiJlPoSDX")
        _ssh_options("scp", opts, j)
        j.read(*opts.values("-i"))
    operands = list(opts.operands)
    hosts = [remote_host(a.text) if not a.dynamic else UNKNOWN for a in operands]
    j.raise_to(W, f"{name} copies files")
    if any(hosts):
        j.raise_to(N, f"{name} copies files over the network")
        j.contact(*[h for h in hosts if h])
    for k, (arg, host) in enumerate(zip(operands, hosts, strict=True)):
        if host is None or arg.dynamic:
            if k == len(operands) - 1 and len(operands) > 1:
                j.write(arg)
            else:
                j.read(arg)
                if name == "rsync" and opts.has("--remove-source-files"):
                    j.write(arg)


def judge_sftp(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "BbcDFiJloPRSsX", posix=True)
    j.raise_to(N, "transfers files over the network")
    _ssh_options("sftp", opts, j)
    for word, value in opts.found("-b"):
        j.escalate(X, "sftp -b runs a batch file, which can run local commands", word, value)
    j.contact(*[remote_host(a.text + ":") or UNKNOWN for a in opts.operands[:1]] or [UNKNOWN])
    j.read(UNKNOWN)
    j.write(UNKNOWN)


RULES: dict[str, Rule] = {
    "ssh": judge_ssh,
    "scp": judge_copy_remote,
    "rsync": judge_copy_remote,
    "sftp": judge_sftp,
}
