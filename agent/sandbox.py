"""Running shell commands confined by bubblewrap (``bwrap``).

    SandboxPolicy        what a confined command may write, and whether it has a network
    sandbox_status()     whether bwrap works on this machine (probed once), and if not why
    bwrap_argv()         the bwrap command line that runs a command under a policy
    claim_placeholders() / release_placeholders()   bookkeeping for masked missing paths
    visible_in_sandbox() whether a folder on the host is also there inside

Inside, the whole filesystem is read-only; only the workspace and the session's temp
folder are writable. ``/tmp`` and ``/run`` are private empty tmpfs mounts: that hides
other programs' files and, above all, the sockets of the D-Bus buses, systemd and
container daemons, through which a confined command could otherwise have something
run outside. The network is unshared unless the policy allows it, the command runs in
its own PID namespace (when it ends, everything it started dies), and as root every
capability is dropped, or the command could simply remount ``/`` writable.

Protected paths inside the workspace stay read-only: the fixed names (``.vscode``,
``.harken``, ``.gitmodules``, ...) and, looked up anew for every command (the Bash tool
makes a policy per command), what git reads as configuration or runs in every git
directory around the workspace and in it -- config, config.worktree, commondir, hooks/,
info/ of the repository, of each submodule (``.git/modules/**``), each linked worktree,
each nested repository and the folder any ``.git`` file names, plus what their
configuration names (see ``agent.permissions.git_dirs``):

- an existing one is bound read-only onto itself;
- a missing one is masked where its first missing component would be, with a read-only
  empty tmpfs (``--tmpfs P --remount-ro P``): nothing can be created there. bwrap has to
  create the mount point on the host, an empty directory, so a directory is used even
  for most file names (an empty directory is invisible to git, an empty file would show
  as untracked);
- except a missing file that git reads inside a git directory (``commondir``,
  ``config.worktree``) or through ``include.path``: git fails on a directory there (on
  the host too, while the command runs), so the placeholder is a *stub*, a file with
  content git reads as nothing new (an empty configuration; a commondir of ``.``), bound
  read-only onto itself. Inside a git directory it is invisible to ``git status``; an
  include target missing from the work tree shows as an empty untracked file while a
  command runs (the lesser evil: a folder there would make every git command fail).
- ``claim_placeholders`` counts the commands using each placeholder and
  ``release_placeholders`` removes it when the last one ends (``rmdir``: only ever an
  empty directory; a stub only while it still holds exactly what was written); removing
  it earlier would detach the mask inside still-running sandboxes. Each is recorded on
  disk before it is made, so what a process killed mid-command leaves is removed by the
  next one (``agent.sandbox_placeholders``). They cannot be avoided: every kind of bwrap
  mount (``--tmpfs``, ``--ro-bind /dev/null``, an empty folder from the session temp)
  needs its mount point to exist, and inside the workspace that is the host's folder.
- every existing folder between the workspace and a protected path is bound onto itself
  (still writable) so it cannot be renamed: ``mv .git x && cp -a x .git`` would
  otherwise make a fresh, writable ``.git/hooks``. So a git directory, a submodule's
  checkout and ``.git/modules/<name>`` cannot be moved away by a confined command.
- each repository's ``modules/`` and ``worktrees/`` are read-only (masked when missing),
  and the git directories already in them are bound writable again on top, their own
  configuration read-only anew: no new submodule or worktree git directory (with a
  config or hooks of its own) can be made, while commits in existing ones still work.
  ``.git`` itself stays writable: git creates its lock files there (agent.sandbox_layout).
- editor and tool folders that exist in subfolders (``a/.vscode``, ``b/.envrc``) are
  read-only like the workspace's own; one that does not exist yet cannot be masked in
  every folder, so a command can create it (the permission engine asks before every
  write to one it can see).

Not covered: Unix sockets outside ``/tmp`` and ``/run`` (say, in the home folder) can still
be connected to; a protected path reached through a symlink inside the workspace has its
target protected but not the link itself; nested repositories are looked for breadth
first through at most ``git_dirs.WALK_LIMIT`` folders per command (a huge workspace's
deepest ones are left to the permission engine, which judges every path it is shown).
A repository that a confined command creates itself (a new ``.git`` anywhere, or in an
uninitialised submodule's folder) is protected only from the next command on: within
that command it can be given a configuration, and if the command also stages it
(``git add``), the user's next ``git status`` in the outer repository reads that
configuration. The permission engine asks before such writes when it can see them (any
``.git`` path); an opaque program allowed in bypass mode is not seen.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent import sandbox_placeholders as placeholders
from agent.permissions.git_dirs import workspace_protected
from agent.sandbox_layout import git_nesting, nested_protected

PROBE_TIMEOUT_S = 5.0
PRIVATE_MOUNTS = ("/tmp", "/run")  # replaced by empty tmpfs inside

# Kept visible under the private /run: NixOS's programs and setuid wrappers (its PATH
# lives there). Missing ones are skipped (``--ro-bind-try``).
RUN_KEPT = (
    "/run/current-system",
    "/run/booted-system",
    "/run/wrappers",
    "/run/opengl-driver",
)
# Only with network access: systemd-resolved answers lookups through a socket there, a
# way out for data even without a network of one's own.
RESOLVER = "/run/systemd/resolve"

INSTALL_HINT = "sudo apt install bubblewrap (or your distribution's bubblewrap package)"
USERNS_HINT = (
    "unprivileged user namespaces may be disabled: check the sysctl "
    "kernel.unprivileged_userns_clone, and on Ubuntu 24.04 and later "
    "kernel.apparmor_restrict_unprivileged_userns"
)


# Own PID namespace: when the command ends, or bwrap is killed, everything in it dies.
# --new-session: no controlling terminal, so no TIOCSTI keystroke injection.
# --cap-drop ALL: run as root, bwrap would otherwise keep every capability.
_ISOLATION = (
    "--unshare-pid",
    "--unshare-ipc",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
)


@dataclass(frozen=True)
class SandboxPolicy:
    """What a confined command may do.

    ``workspace`` is the only writable project folder (the session's, never one the model
    chose); ``temp_dir`` is a writable per-session folder that ``TMPDIR`` points at;
    ``read_only`` lists protected paths inside the workspace, existing or not (relative
    ones are taken from the workspace). Paths are resolved (symlinks followed) on creation.
    With ``git`` (the default), ``git_paths`` is what git reads or runs in the git
    directories around and in the workspace *when the policy is made*, each with the
    stub text a missing file needs (None: masked as a folder); make one per command.
    """

    workspace: Path
    temp_dir: Path
    read_only: tuple[Path, ...] = ()
    network: bool = False
    git: bool = True
    git_paths: tuple[tuple[Path, str | None], ...] = field(init=False, repr=False)
    # Read-only as well (agent.sandbox_layout): each git directory's modules/ and
    # worktrees/, nested editor folders; and the git directories inside modules/ and
    # worktrees/, writable again on top (git's ordinary work happens there).
    layout_paths: tuple[Path, ...] = field(init=False, repr=False)
    reopened: tuple[Path, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # A session's first policy: placeholders a killed process left (an empty .git,
        # a .mcp.json folder) go before anything reads them.
        placeholders.clean_leftovers()
        workspace = Path(os.path.realpath(self.workspace))
        object.__setattr__(self, "workspace", workspace)
        object.__setattr__(self, "temp_dir", Path(os.path.realpath(self.temp_dir)))
        resolved = (Path(os.path.realpath(workspace / p)) for p in self.read_only)
        object.__setattr__(self, "read_only", tuple(dict.fromkeys(resolved)))
        found = workspace_protected(workspace) if self.git else {}
        inside = tuple((p, stub) for p, stub in found.items() if _within(p, workspace))
        object.__setattr__(self, "git_paths", inside)
        nesting, reopened = git_nesting((p for p, _ in inside), workspace) if self.git else ([], [])
        nested = nested_protected(workspace) if self.git else []
        resolved_nested = [Path(os.path.realpath(p)) for p in nested]
        object.__setattr__(self, "layout_paths", tuple([*nesting, *resolved_nested]))
        object.__setattr__(self, "reopened", tuple(reopened))


@dataclass(frozen=True)
class SandboxStatus:
    """Whether commands can be confined here; ``reason`` says what is missing and the fix."""

    available: bool
    reason: str


@functools.cache
def sandbox_status() -> SandboxStatus:
    """Probe once per process that bwrap is installed and can set up its namespaces."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return SandboxStatus(False, f"bubblewrap is not installed: {INSTALL_HINT}")
    probe = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    probe += ["--tmpfs", "/tmp", *_ISOLATION, "--unshare-net", "--", "true"]
    try:
        done = subprocess.run(
            probe, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return SandboxStatus(False, f"bubblewrap did not start within {PROBE_TIMEOUT_S:g}s")
    except OSError as exc:
        return SandboxStatus(False, f"bubblewrap cannot be started: {exc}")
    if done.returncode != 0:
        error = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        return SandboxStatus(
            False, f"bubblewrap cannot create namespaces here: {error[0]} ({USERNS_HINT})"
        )
    return SandboxStatus(True, "bubblewrap works")


def bwrap_argv(
    policy: SandboxPolicy,
    command_argv: Sequence[str],
    cwd: Path | None = None,
    plan: Sequence[tuple[Path, str]] | None = None,
) -> list[str]:
    """The command line that runs ``command_argv`` confined by ``policy``, in ``cwd``
    (the workspace when not given or not visible inside). ``plan``: the ``protection``
    that ``claim_placeholders`` claimed, so bwrap mounts exactly what was claimed (the
    disk may have changed since: another command's placeholder appeared)."""
    argv = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for private in PRIVATE_MOUNTS:
        argv += ["--tmpfs", private]
    for kept in [*_run_kept(policy.network), *_python_under_private_mounts()]:
        argv += ["--ro-bind-try", kept, kept]
    for writable in sorted({policy.temp_dir, policy.workspace}, key=lambda p: len(p.parts)):
        argv += ["--bind", str(writable), str(writable)]
    stubs = _stubs(policy)
    for path, how in protection(policy) if plan is None else plan:
        name = str(path)
        if how in ("pin", "reopen"):
            argv += ["--bind", name, name]
        elif how in ("protect", "stub"):
            if how == "stub":
                placeholders.make_stub(path, stubs[path])  # made by claim_placeholders, normally
            argv += ["--ro-bind", name, name]
        else:
            argv += ["--tmpfs", name, "--remount-ro", name]
    argv += _ISOLATION
    if not policy.network:
        argv.append("--unshare-net")
    if cwd is None or not visible_in_sandbox(policy, cwd):
        cwd = policy.workspace
    argv += ["--chdir", str(cwd), "--", *command_argv]
    return argv


def _python_under_private_mounts() -> list[str]:
    """The running Python's folders when they live under /tmp or /run (a virtual
    environment in a temp clone): the private mounts would hide them, and with them the
    interpreter and tools the session itself runs."""
    folders = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return sorted(
        f for f in folders if any(f == m or f.startswith(m + "/") for m in PRIVATE_MOUNTS)
    )


def protection(policy: SandboxPolicy) -> list[tuple[Path, str]]:
    """How each protected path is kept read-only, shallowest first: ``protect`` (bind an
    existing one read-only), ``mask`` (a read-only empty tmpfs where it is missing),
    ``stub`` (a missing file git reads: a placeholder file bound read-only), ``pin``
    (bind a folder on the way onto itself so it cannot be renamed), or ``reopen`` (a git
    directory inside a read-only ``modules/`` or ``worktrees/``, bound writable again)."""
    workspace = policy.workspace
    stubs = _stubs(policy)
    plan: dict[Path, str] = {}
    targets = [*policy.read_only, *(p for p, _ in policy.git_paths), *policy.layout_paths]
    for target in dict.fromkeys(targets):
        if target == workspace or not _within(target, workspace):
            continue  # outside the workspace everything is read-only already
        path = workspace
        for part in target.relative_to(workspace).parts:
            path = path / part
            if not os.path.lexists(path):
                plan[path] = "stub" if path == target and path in stubs else "mask"
                break
            if path == target or not path.is_dir() or path.is_symlink():
                plan[path] = "protect"
                break
            plan.setdefault(path, "pin")
    nesting = set(policy.layout_paths)
    for git_dir in policy.reopened:
        # Only below a read-only modules/ or worktrees/: anywhere else it stays as planned.
        above = next((a for a in git_dir.parents if plan.get(a, "pin") != "pin"), None)
        if plan.get(git_dir) == "pin" and above in nesting and plan[above] != "reopen":
            plan[git_dir] = "reopen"
    # The nearest read-only or reopened folder above a path decides: a pin below a
    # read-only path would make part of it writable again, but below a reopened git
    # directory its own entries are protected anew.
    bounds = {p for p, how in plan.items() if how != "pin"}

    def kept(path: Path, how: str) -> bool:
        above = next((a for a in path.parents if a in bounds), None)
        return how == "reopen" or above is None or plan[above] == "reopen"

    chosen = [(p, how) for p, how in plan.items() if kept(p, how)]
    return sorted(chosen, key=lambda item: len(item[0].parts))


def visible_in_sandbox(policy: SandboxPolicy, path: Path) -> bool:
    """Whether ``path`` exists inside as on the host (not hidden by a private mount)."""
    path = Path(os.path.realpath(path))
    if _within(path, policy.workspace) or _within(path, policy.temp_dir):
        return True
    if any(_within(root, path) for root in (policy.workspace, policy.temp_dir)):
        return True  # a parent of a bound folder: bwrap recreates it inside
    return not any(_within(path, Path(private)) for private in PRIVATE_MOUNTS)


def claim_placeholders(
    policy: SandboxPolicy, plan: Sequence[tuple[Path, str]] | None = None
) -> tuple[Path, ...]:
    """Register (in this process and on disk) the missing protected paths a command about
    to start will mask (bwrap creates them on the host as empty folders) and make its stub
    files; pass the result to ``release_placeholders`` once the command has ended. What
    processes that are gone left behind is cleaned first (agent.sandbox_placeholders)."""
    stubs = _stubs(policy)
    chosen = protection(policy) if plan is None else plan
    return placeholders.claim([(path, how, stubs.get(path)) for path, how in chosen])


def release_placeholders(paths: Iterable[Path]) -> None:
    """Forget claimed placeholders; the last command using one removes it if it is still
    an empty folder, or a stub holding only what was written into it."""
    placeholders.release(paths)


def _stubs(policy: SandboxPolicy) -> dict[Path, str]:
    return {path: text for path, text in policy.git_paths if text is not None}


def _run_kept(network: bool) -> list[str]:
    if not network:
        return list(RUN_KEPT)
    kept = [*RUN_KEPT, RESOLVER]
    # /etc/resolv.conf is often a link into /run (systemd-resolved, NetworkManager).
    resolv = Path(os.path.realpath("/etc/resolv.conf"))
    if _within(resolv, Path("/run")) and not _within(resolv, Path(RESOLVER)):
        kept.append(str(resolv))
    return kept


def _within(path: Path, root: Path) -> bool:
    return os.path.commonpath([path, root]) == str(root)
