"""Programs that reach the network: raw sockets (nc, telnet, socat), lookups (ping,
dig), ftp, and package managers, which download and run code.

What they start (``nc -e``, socat's ``EXEC:``) are escalations, which an allow rule for
the program alone does not approve. HTTP transfers (curl, wget, httpie) live in
``program_web``; remote shells and copies (ssh, scp, sftp, rsync) in ``program_remote``."""

from __future__ import annotations

import re

from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    Rule,
    split,
    url_host,
)
from agent.permissions.program_launch import run_string
from agent.permissions.shell_words import names

R, W, N, X = Effect.READ, Effect.WRITE, Effect.NETWORK, Effect.EXECUTE


def judge_socket(name: str, args: list[Arg], j: Judgement) -> None:
    """nc, ncat, netcat, telnet."""
    opts = split(
        args,
        "ecpswiqWXTOIVMmxlnoa" if name == "telnet" else "ecpswiqWXTOIVMmxo",
        ("--exec", "--sh-exec", "--lua-exec", "--output", "--append-output", "--proxy", "--source"),
    )
    j.raise_to(N, "opens a network connection")
    if name != "telnet":
        for word, value in opts.found("-e", "-c", "--exec", "--sh-exec", "--lua-exec"):
            run_string(j, [word], value, f"{name} -e runs a program for the connection")
    if name == "telnet":
        j.write(*opts.values("-n"))
    else:
        j.write(*opts.values("-o", "--output", "--append-output"))
    hosts = [a for a in opts.operands if not re.fullmatch(r"\d+(-\d+)?", a.text)]
    if (opts.has("-l", "--listen") and name != "telnet") or opts.dynamic or not hosts:
        j.contact(UNKNOWN)
    for host in hosts[:1] + opts.values("-x", "--proxy"):
        j.contact(UNKNOWN if host.dynamic else host.text.split(":")[0].lower())


def judge_socat(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(N, "socat connects or listens")
    for arg in args:
        kind = arg.text.split(":", 1)[0].split(",", 1)[0].upper()
        if arg.dynamic or kind in ("EXEC", "SYSTEM"):
            j.escalate(X, "socat runs a program", arg)
    j.contact(UNKNOWN)
    j.write(UNKNOWN)


_RR_TYPES = names("A AAAA MX NS TXT CNAME SOA PTR SRV CAA ANY AXFR IXFR DS DNSKEY IN CH HS")


def judge_lookup(name: str, args: list[Arg], j: Judgement) -> None:
    """ping, traceroute, dig, host, nslookup, whois: every name given is sent out."""
    short = {"dig": "bcfkpqtxy", "host": "tcWNmR", "whois": "hp"}.get(name, "ciIWwstlpQMmSTfqz")
    opts = split(args, short)
    j.raise_to(N, "contacts other hosts")
    for arg in [*opts.operands, *opts.values("-h")]:
        text = arg.text
        if arg.dynamic:
            j.contact(UNKNOWN)
        elif name == "dig" and text.startswith("+"):
            continue
        elif text.upper() not in _RR_TYPES:
            j.contact(text.removeprefix("@").lower())
    j.read(*opts.values("-f") if name == "dig" else [])
    if opts.dynamic or not opts.operands:
        j.contact(UNKNOWN)


def judge_ftp(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(X, f"{name} sessions can run local commands")
    hosts = [a for a in args if not a.text.startswith("-")]
    j.contact(
        *[UNKNOWN if h.dynamic else url_host(h.text, "ftp") or UNKNOWN for h in hosts[:1]]
        or [UNKNOWN]
    )
    j.read(UNKNOWN)
    j.write(UNKNOWN)


# Package managers: the subcommands that download (all of them run code).
_PACKAGES: dict[str, frozenset[str]] = {
    "pip": frozenset(["install", "download", "wheel", "index", "search"]),
    "uv": frozenset(["add", "sync", "lock", "run", "pip", "tool", "python", "init", "venv"]),
    "npm": names(
        "install i ci add update upgrade publish view info outdated audit exec create init dlx"
    ),
    "pnpm": names("install i add update upgrade publish dlx create outdated audit"),
    "yarn": frozenset(
        ["install", "add", "upgrade", "up", "dlx", "create", "publish", "info", "outdated", "audit"]
    ),
    "bun": frozenset(["install", "i", "add", "update", "upgrade", "x", "create", "publish"]),
    "apt": frozenset(
        ["install", "update", "upgrade", "full-upgrade", "dist-upgrade", "download", "source"]
    ),
    "apt-get": frozenset(["install", "update", "upgrade", "dist-upgrade", "download", "source"]),
    "dnf": frozenset(["install", "update", "upgrade", "download", "makecache"]),
    "yum": frozenset(["install", "update", "upgrade", "download", "makecache"]),
    "brew": frozenset(["install", "update", "upgrade", "fetch", "tap", "reinstall"]),
    "pacman": frozenset(["-S", "-Sy", "-Syu", "-Su", "-Syy"]),
    "cargo": frozenset(
        ["install", "add", "update", "fetch", "build", "run", "test", "check", "publish", "search"]
    ),
    "go": frozenset(["get", "install", "mod", "build", "run", "test", "generate"]),
    "gem": frozenset(["install", "update", "fetch"]),
    "composer": frozenset(["install", "require", "update", "create-project"]),
    "poetry": frozenset(["install", "add", "update", "lock", "publish"]),
    "conda": frozenset(["install", "update", "create"]),
    "snap": frozenset(["install", "refresh"]),
}
_ALWAYS_DOWNLOAD = frozenset({"npx", "pnpx", "bunx", "uvx", "pipx"})
_PACKAGE_READS = {
    "pip": frozenset(["list", "show", "freeze", "check", "help", "--version", "-V"]),
    "npm": frozenset(["ls", "list", "help", "--version", "-v"]),
}


def judge_packages(name: str, args: list[Arg], j: Judgement) -> None:
    base = "pip" if re.fullmatch(r"pip[0-9.]*", name) else name
    words = [a.text for a in args if not a.dynamic and not a.text.startswith("-")]
    sub = words[0] if words else (args[0].text if args else "")
    if base in _PACKAGE_READS and sub in _PACKAGE_READS[base] and not any(a.dynamic for a in args):
        j.raise_to(R, f"{name} {sub} shows information")
        return
    j.raise_to(X, f"{name} {sub} runs package code".replace("  ", " "))
    if base in _ALWAYS_DOWNLOAD or sub in _PACKAGES.get(base, ()) or any(a.dynamic for a in args):
        j.contact(UNKNOWN)


RULES: dict[str, Rule] = {
    "nc": judge_socket,
    "ncat": judge_socket,
    "netcat": judge_socket,
    "telnet": judge_socket,
    "socat": judge_socat,
    "ftp": judge_ftp,
    "lftp": judge_ftp,
    "tftp": judge_ftp,
    **dict.fromkeys(
        [
            "ping",
            "ping6",
            "traceroute",
            "traceroute6",
            "tracepath",
            "mtr",
            "dig",
            "host",
            "nslookup",
            "whois",
            "arping",
        ],
        judge_lookup,
    ),
    **dict.fromkeys([*_PACKAGES, *_ALWAYS_DOWNLOAD, "pip3", "yarnpkg"], judge_packages),
}
