"""How each wrapper program's own arguments look: the options it takes, the operands
before the command it runs, and the options that name files, folders or shell strings.

A wrapper is a program whose work is starting the command written after it (``sudo``,
``timeout``, ``xargs``, ``strace``). ``shell_wrappers.unwrap`` peels them off with these
specs; an option not listed here cannot be followed, so the command is asked about.
Sources: each program's manual (sudo 1.9, GNU coreutils 9, util-linux 2.38, strace 6,
ltrace 0.7, xvfb-run from Debian's xvfb).
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.permissions.shell_words import names


@dataclass(frozen=True)
class Spec:
    """How a wrapper's own arguments look. Option names are written out ("-u", "--user")."""

    flags: str = ""  # short options without an argument
    with_arg: str = ""  # short options that take one
    long_flags: frozenset[str] = frozenset()
    long_with_arg: frozenset[str] = frozenset()
    operands: int = 0  # words between its options and the command (timeout's DURATION)
    assignments: bool = False  # NAME=value words may come before the command
    numeric: bool = False  # "-10" is an option (nice)
    lookup: frozenset[str] = frozenset()  # options after which it runs no command
    refuse: frozenset[str] = frozenset()  # options whose effect cannot be followed
    chdir: frozenset[str] = frozenset()  # options naming the command's directory
    writes: frozenset[str] = frozenset()  # options naming a file it writes
    reads: frozenset[str] = frozenset()  # options naming a file it reads
    shell: frozenset[str] = frozenset()  # options whose argument is a shell command string


WRAPPERS: dict[str, Spec] = {
    "sudo": Spec(
        flags="AbEeHiKknPSsv",
        with_arg="CDghpRrTtUu",
        long_flags=names(
            """--askpass --background --bell --preserve-env --set-home --login --remove-timestamp
            --reset-timestamp --non-interactive --preserve-groups --stdin --shell --validate
            --list --edit --version --help"""
        ),
        long_with_arg=names(
            """--close-from --chdir --group --host --prompt --chroot --role --type
            --command-timeout --other-user --user"""
        ),
        assignments=True,
        lookup=names("-l --list -v --validate -K --remove-timestamp --version --help"),
        refuse=names("-e --edit -R --chroot"),
        chdir=names("-D --chdir"),
    ),
    "doas": Spec(flags="nsL", with_arg="uC", lookup=names("-C -L")),
    "pkexec": Spec(
        long_flags=names("--disable-internal-agent --keep-cwd"), long_with_arg=names("--user")
    ),
    "env": Spec(
        flags="i0v",
        with_arg="uCSP",
        long_flags=names(
            """--ignore-environment --null --debug --default-signal --ignore-signal
            --block-signal"""
        ),
        long_with_arg=names("--unset --chdir --split-string"),
        assignments=True,
        lookup=names("--list-signal-handling --version --help"),
        refuse=names("-S --split-string -P"),
        chdir=names("-C --chdir"),
    ),
    "timeout": Spec(
        flags="v",
        with_arg="sk",
        long_flags=names("--preserve-status --foreground --verbose"),
        long_with_arg=names("--signal --kill-after"),
        operands=1,
    ),
    "nice": Spec(with_arg="n", long_with_arg=names("--adjustment"), numeric=True),
    "ionice": Spec(
        flags="t",
        with_arg="cn",
        long_flags=names("--ignore"),
        long_with_arg=names("--class --classdata"),
        lookup=names("-p -P -u --pid --pgid --uid"),
    ),
    "nohup": Spec(),
    "command": Spec(flags="p", lookup=names("-v -V")),
    "builtin": Spec(),
    "exec": Spec(flags="cl", with_arg="a"),
    "coproc": Spec(),
    "time": Spec(
        flags="pvqa",
        with_arg="of",
        long_flags=names("--portability --verbose --quiet --append"),
        long_with_arg=names("--output --format"),
        writes=names("-o --output"),
    ),
    "stdbuf": Spec(with_arg="ioe", long_with_arg=names("--input --output --error")),
    "chrt": Spec(
        flags="abdfiorRv",
        with_arg="TPD",
        long_flags=names(
            """--all-tasks --batch --deadline --fifo --idle --other --rr --reset-on-fork
            --verbose"""
        ),
        long_with_arg=names("--sched-runtime --sched-period --sched-deadline"),
        operands=1,
        lookup=names("-p --pid -m --max"),
    ),
    "taskset": Spec(
        flags="ac", long_flags=names("--all-tasks --cpu-list"), operands=1, lookup=names("-p --pid")
    ),
    "setsid": Spec(flags="cfw", long_flags=names("--ctty --fork --wait")),
    "xargs": Spec(
        flags="0oprtx",
        with_arg="adEILnPs",
        long_flags=names("--null --open-tty --interactive --no-run-if-empty --verbose --exit"),
        long_with_arg=names(
            """--arg-file --delimiter --max-lines --max-args --max-procs --max-chars
            --process-slot-var --replace --eof"""
        ),
        reads=names("-a --arg-file"),
    ),
    "flock": Spec(
        flags="sxeunoF",
        with_arg="wEc",
        long_flags=names("--shared --exclusive --unlock --nonblock --close --no-fork --verbose"),
        long_with_arg=names("--wait --timeout --conflict-exit-code --command"),
        operands=1,
        shell=names("-c --command"),
    ),
    "unbuffer": Spec(flags="p"),
    "busybox": Spec(),
    "caffeinate": Spec(flags="dimsu", with_arg="tw"),
    "watch": Spec(
        flags="bcegptrqx",
        with_arg="n",
        long_flags=names(
            """--beep --color --errexit --chgexit --precise --no-title --no-wrap --exec
            --differences --no-linewrap"""
        ),
        long_with_arg=names("--interval"),
    ),
    # Tracers and sandboxes: their work is running the command after them.
    "strace": Spec(
        flags="AcCdDfFhiknNqrtTvVwxyYzZ",
        with_arg="abeIoOPsSuUX",
        long_flags=names(
            """--summary-only --summary --summary-wall-clock --follow-forks
            --output-separately --seccomp-bpf --stack-trace --syscall-times --timestamps
            --absolute-timestamps --relative-timestamps --instruction-pointer --no-abbrev
            --verbose --raw --quiet --decode-fds --decode-pids --daemonize --version --help
            --successful-only --failed-only --always-show-pid --strings-in-hex
            --tips --kvm --argv0 --secontext --pidns-translation --debug"""
        ),
        long_with_arg=names(
            """--output --user --trace --trace-path --signal --status --string-limit
            --summary-sort-by --summary-syscall-overhead --columns --const-print-style
            --abbrev --verbose --raw --read --write --quiet --decode-fds --inject --fault
            --timestamps --absolute-timestamps --decode-pids --trace-fds"""
        ),
        lookup=names("-p --attach -h --help -V --version"),
        refuse=names("-E --env -b --detach-on"),
        writes=names("-o --output"),
    ),
    "ltrace": Spec(
        flags="bcCfhiLrStTVw",
        with_arg="aAeDFlnopsuxX",
        long_flags=names("--demangle --help --version --no-signals --indent"),
        long_with_arg=names("--align --output --library --indent"),
        lookup=names("-p -h --help -V --version"),
        refuse=names("-F -l --library -x -e"),
        writes=names("-o --output"),
    ),
    "chroot": Spec(
        long_flags=names("--skip-chdir --help --version"),
        long_with_arg=names("--userspec --groups"),
        operands=1,
        lookup=names("--help --version"),
    ),
    "unshare": Spec(
        flags="muinpUCTfrc",
        with_arg="SGR",
        long_flags=names(
            """--mount --uts --ipc --net --pid --user --cgroup --time --fork --map-root-user
            --map-current-user --kill-child --mount-proc --keep-caps --help --version"""
        ),
        long_with_arg=names(
            """--propagation --setgroups --setuid --setgid --root --wd --map-user --map-group
            --map-users --map-groups --monotonic --boottime"""
        ),
        lookup=names("--help --version"),
        chdir=names("-w --wd"),
    ),
    "xvfb-run": Spec(
        flags="ah",
        with_arg="nswfep",
        long_flags=names("--auto-servernum --help --wait"),
        long_with_arg=names(
            "--server-num --server-args --auth-file --error-file --xauth-protocol --wait"
        ),
        lookup=names("-h --help"),
        writes=names("-e --error-file"),
    ),
}
