"""How each wrapper program's own arguments look: the options it takes, the operands
before the command it runs, and the options that name files, folders or shell strings.

A wrapper is a program whose work is starting the command written after it (``sudo``,
``timeout``, ``xargs``, ``strace``). ``shell_wrappers.unwrap`` peels them off with these
specs; an option not listed here cannot be followed, so the command is asked about.
Sources: each program's manual (sudo 1.9, GNU coreutils 9, util-linux 2.38, strace 6,
ltrace 0.7, xvfb-run from Debian's xvfb, valgrind 3.19, OpenSSH 9 ssh-agent, dbus 1.14,
systemd 252 systemd-run, moreutils 0.67 chronic, entr 5, bubblewrap 0.8, firejail 0.9,
torsocks 2.4, proxychains-ng 4, fakeroot 1.31, cpulimit 3, numactl 2, rlwrap 0.46).
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
    pairs: frozenset[str] = frozenset()  # long options that take two words (bwrap --bind A B)
    # Output options whose value, when it starts with | or !, is a shell command (strace -o).
    pipes: frozenset[str] = frozenset()


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
    # Run the command after them; what they change (namespaces, the root) is not
    # followed, so those options are asked about.
    "nsenter": Spec(
        flags="aFZ",
        with_arg="tSG",
        long_flags=names("--all --no-fork --preserve-credentials --follow-context"),
        long_with_arg=names("--target --setuid --setgid"),
    ),
    "catchsegv": Spec(),
    "proot": Spec(),
    "eatmydata": Spec(),
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
        pipes=names("-o --output"),
        writes=names("-o --output"),
    ),
    "ltrace": Spec(
        flags="bcCfhiLrStTVw",
        with_arg="aAeDFlnopsuxX",
        long_flags=names("--demangle --help --version --no-signals --indent"),
        long_with_arg=names("--align --output --library --indent"),
        lookup=names("-p -h --help -V --version"),
        refuse=names("-F -l --library -x -e"),
        pipes=names("-o --output"),
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
    # Launchers found by review: each starts the command written after its options.
    "valgrind": Spec(
        flags="qvh",
        long_flags=names("--help --help-debug --version --quiet --verbose"),
        long_with_arg=names(
            """--tool --trace-children --trace-children-skip --child-silent-after-fork
            --track-fds --time-stamp --log-fd --log-file --xml --xml-file --num-callers
            --error-limit --error-exitcode --show-below-main --suppressions --gen-suppressions
            --leak-check --show-leak-kinds --errors-for-leak-kinds --track-origins
            --show-reachable --show-possibly-lost --leak-resolution --undef-value-errors
            --keep-stacktraces --freelist-vol --read-var-info --read-inline-info --smc-check
            --vex-iropt-register-updates --fair-sched --max-stackframe --main-stacksize
            --demangle --sigill-diagnostics --expensive-definedness-checks --partial-loads-ok
            --massif-out-file --callgrind-out-file --cachegrind-out-file --dump-instr
            --collect-jumps --cache-sim --branch-sim --stacks --pages-as-heap --depth
            --threshold --time-unit --detailed-freq --max-snapshots"""
        ),
        lookup=names("-h --help --help-debug --version"),
        refuse=names("--db-command --db-attach --vgdb --vgdb-prefix --log-socket --xml-socket"),
        writes=names(
            "--log-file --xml-file --massif-out-file --callgrind-out-file --cachegrind-out-file"
        ),
        reads=names("--suppressions"),
    ),
    "ssh-agent": Spec(
        flags="acDdkq",
        with_arg="EOPst",
        lookup=names("-k"),
        refuse=names("-P -O"),  # they load PKCS#11 providers, which are code
    ),
    "dbus-run-session": Spec(
        long_flags=names("--help --version"),
        long_with_arg=names("--config-file --dbus-daemon"),
        lookup=names("--help --version"),
        refuse=names("--config-file --dbus-daemon"),  # another bus daemon or its services
    ),
    "systemd-run": Spec(
        flags="qrGdPSt",
        with_arg="uHMpE",
        long_flags=names(
            """--user --system --scope --no-block --wait --quiet --remain-after-exit
            --collect --same-dir --pipe --pty --shell --send-sighup --no-ask-password"""
        ),
        long_with_arg=names(
            """--unit --description --slice --nice --uid --gid --service-type
            --working-directory --on-active --on-boot --on-startup --on-unit-active
            --on-unit-inactive --on-calendar --on-clock-change --on-timezone-change
            --timer-property --path-property --socket-property --property --setenv --host
            --machine"""
        ),
        lookup=names("-h --help --version"),
        # A unit property may name more programs (ExecStartPre=); a host or machine is
        # elsewhere; an environment cannot be judged here; a timer runs it later.
        refuse=names(
            """-p --property --timer-property --path-property --socket-property -H --host -M
            --machine -E --setenv -S --shell --on-active --on-boot --on-startup
            --on-unit-active --on-unit-inactive --on-calendar --on-clock-change
            --on-timezone-change"""
        ),
        chdir=names("--working-directory"),
    ),
    "chronic": Spec(flags="ev"),
    "entr": Spec(flags="acdnprsz"),  # -s: the command is a shell string (unwrap)
    "bwrap": Spec(
        long_flags=names(
            """--unshare-all --share-net --unshare-user --unshare-user-try --unshare-ipc
            --unshare-pid --unshare-net --unshare-uts --unshare-cgroup --unshare-cgroup-try
            --die-with-parent --as-pid-1 --new-session --clearenv --disable-userns
            --assert-userns-disabled --level-prefix"""
        ),
        long_with_arg=names(
            """--uid --gid --hostname --chdir --unsetenv --lock-file --sync-fd --remount-ro
            --proc --dev --tmpfs --mqueue --dir --seccomp --add-seccomp-fd --block-fd
            --userns-block-fd --info-fd --json-status-fd --cap-add --cap-drop --perms --size
            --userns --userns2 --pidns --argv0 --exec-label --file-label --args"""
        ),
        pairs=names(
            """--bind --bind-try --dev-bind --dev-bind-try --ro-bind --ro-bind-try --bind-fd
            --ro-bind-fd --file --bind-data --ro-bind-data --symlink --setenv --chmod"""
        ),
        lookup=names("--help --version"),
        refuse=names("--args --setenv --exec-label"),  # more arguments from a descriptor
        chdir=names("--chdir"),
    ),
    "firejail": Spec(
        long_flags=names(
            """--quiet --noprofile --private --private-tmp --private-dev --private-cache
            --nonewprivs --noroot --nosound --novideo --no3d --nodbus --nogroups --seccomp
            --caps --apparmor --ipc-namespace --machine-id --disable-mnt --writable-var"""
        ),
        long_with_arg=names(
            """--profile --net --caps.drop --caps.keep --whitelist --blacklist --read-only
            --read-write --private-bin --private-etc --private-home --tmpfs --name
            --hostname --dns --nice --rlimit-as --rlimit-cpu --rlimit-fsize --rlimit-nofile
            --rlimit-nproc --timeout --cpu --seccomp.drop --seccomp.keep"""
        ),
        lookup=names("--help --version --list --tree --top --ls --get --put --join --shutdown"),
    ),
    "torsocks": Spec(flags="idq6", with_arg="upaP"),
    "proxychains": Spec(flags="q", with_arg="f", reads=names("-f")),
    "proxychains4": Spec(flags="q", with_arg="f", reads=names("-f")),
    "fakeroot": Spec(
        flags="uhv",
        with_arg="lsib",
        long_flags=names("--unknown-is-real --help --version"),
        long_with_arg=names("--lib --faked"),
        lookup=names("-h --help -v --version"),
        refuse=names("-l --lib --faked"),  # another library or daemon: code
        writes=names("-s"),
        reads=names("-i"),
    ),
    "cpulimit": Spec(
        flags="zikfqv",
        with_arg="l",
        long_flags=names("--lazy --include-children --kill --foreground --quiet --verbose"),
        long_with_arg=names("--limit"),
        lookup=names("-p --pid -e --exe -P --path -h --help"),
    ),
    "numactl": Spec(
        flags="al",
        with_arg="NCmpiw",
        long_flags=names("--all --localalloc"),
        long_with_arg=names(
            """--cpunodebind --physcpubind --membind --preferred --preferred-many
            --interleave --weighted-interleave"""
        ),
        lookup=names("-s --show -H --hardware"),
    ),
    "prlimit": Spec(
        long_with_arg=names(
            """--as --core --cpu --data --fsize --locks --memlock --msgqueue --nice --nofile
            --nproc --rss --rtprio --rttime --sigpending --stack"""
        ),
        lookup=names("-p --pid -h --help -V --version -o --output"),
    ),
    "rlwrap": Spec(
        flags="AcinrRWo",
        with_arg="aCfHlpsSbeOqt",
        lookup=names("-h --help -v --version"),
        refuse=names("-z --filter -f -H -l"),  # filters are programs; files may be anywhere
    ),
}
