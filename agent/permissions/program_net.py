"""Programs that reach the network: transfers (curl, wget, httpie), raw sockets (nc,
telnet, socat), lookups (ping, dig), and package managers, which download and run code.

What they start (``nc -e``, ``wget --use-askpass``, socat's ``EXEC:``) are escalations,
which an allow rule for the program alone does not approve. Remote shells and copies
(ssh, scp, sftp, rsync) live in ``program_remote``."""

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


def _host(j: Judgement, url: Arg, default_scheme: str = "http") -> None:
    """Record the host of ``url``; a ``file:`` URL is a local read instead."""
    if url.dynamic:
        j.contact(UNKNOWN)
        return
    host = url_host(url.text, default_scheme)
    if host is None:
        j.read(re.sub(r"^[A-Za-z]+://[^/]*", "", url.text) or UNKNOWN)
    elif any(c in url.text.split("/")[2 if "://" in url.text else 0] for c in "{}[]"):
        j.contact(UNKNOWN)  # curl expands {a,b} and [1-9] itself
    else:
        j.contact(host)


_CURL_SHORT = "AbcCdDeEFHKmoPQrtTuUwxXyYz"
_CURL_LONG = tuple(
    "--" + o
    for o in [
        "url",
        "output",
        "output-dir",
        "header",
        "data",
        "data-raw",
        "data-binary",
        "data-ascii",
        "data-urlencode",
        "json",
        "form",
        "form-string",
        "user",
        "user-agent",
        "referer",
        "request",
        "cookie",
        "cookie-jar",
        "dump-header",
        "upload-file",
        "config",
        "proxy",
        "proxy-user",
        "max-time",
        "connect-timeout",
        "retry",
        "retry-delay",
        "retry-max-time",
        "range",
        "write-out",
        "cacert",
        "capath",
        "cert",
        "key",
        "cert-type",
        "key-type",
        "pass",
        "ciphers",
        "interface",
        "resolve",
        "connect-to",
        "dns-servers",
        "doh-url",
        "limit-rate",
        "max-filesize",
        "max-redirs",
        "trace",
        "trace-ascii",
        "stderr",
        "etag-save",
        "etag-compare",
        "hsts",
        "alt-svc",
        "libcurl",
        "unix-socket",
        "abstract-unix-socket",
        "noproxy",
        "proto",
        "proto-redir",
        "proto-default",
        "speed-limit",
        "speed-time",
        "time-cond",
        "netrc-file",
        "variable",
        "url-query",
        "aws-sigv4",
        "oauth2-bearer",
        "ftp-port",
        "quote",
        "telnet-option",
        "local-port",
        "preproxy",
        "proxy-header",
        "mail-from",
        "mail-rcpt",
        "mail-auth",
        "login-options",
        "sasl-authzid",
        "service-name",
        "krb",
        "socks4",
        "socks4a",
        "socks5",
        "socks5-hostname",
        "create-file-mode",
        "continue-at",
        "tls-max",
        "pinnedpubkey",
    ]
)
_CURL_WRITES = names(
    """-o --output -D --dump-header -c --cookie-jar --trace --trace-ascii --stderr --etag-save
    --hsts --alt-svc --libcurl"""
)
_CURL_READS = names("-T --upload-file --cacert --cert --key --netrc-file --etag-compare")
_CURL_DATA = names(
    """-d --data --data-binary --data-ascii --json --data-urlencode -F --form -H --header
    --variable --url-query -w --write-out"""
)
_CURL_PROXIES = names("-x --proxy --preproxy --socks4 --socks4a --socks5 --socks5-hostname")


def judge_curl(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, _CURL_SHORT, _CURL_LONG)
    j.raise_to(N, "transfers data over the network")
    for url in [*opts.operands, *opts.values("--url")]:
        _host(j, url)
    for proxy in opts.values(*_CURL_PROXIES):
        _host(j, proxy)
    if opts.has("--resolve", "--connect-to", "--unix-socket", "--abstract-unix-socket") or (
        opts.dynamic
    ):
        j.contact(UNKNOWN)
    writes = [v for v in opts.values(*_CURL_WRITES) if v.text != "-"]
    if opts.has("-O", "--remote-name", "--remote-name-all", "-J", "--remote-header-name"):
        writes += opts.values("--output-dir") or [Arg(".")]
    if opts.has("-K", "--config") or opts.dynamic:
        writes.append(Arg(UNKNOWN))
        j.read(*opts.values("-K", "--config"))
    j.write(*writes)
    j.read(*opts.values(*_CURL_READS))
    for value in opts.values(*_CURL_DATA):
        _curl_data_file(value, j)
    for cookie in opts.values("-b", "--cookie"):
        if "=" not in cookie.text:
            j.read(cookie)


def _curl_data_file(value: Arg, j: Judgement) -> None:
    """``-d @file``, ``-F name=@file`` and ``-F name=<file`` send a file's contents."""
    if value.dynamic:
        j.read(UNKNOWN)
        return
    match = re.match(r"(?:[^=@<]*[=])?[@<](.+)", value.text) or re.match(r"[^=@]+@(.+)", value.text)
    if match:
        path = match.group(1).split(";", 1)[0]
        if path != "-":
            j.read(path)


_WGET_SHORT = "OoaPieBtTwlUQADRIX"


def judge_wget(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(
        args,
        _WGET_SHORT,
        (
            "--output-document",
            "--output-file",
            "--append-output",
            "--directory-prefix",
            "--input-file",
            "--execute",
            "--base",
            "--tries",
            "--timeout",
            "--wait",
            "--level",
            "--user-agent",
            "--quota",
            "--accept",
            "--reject",
            "--domains",
            "--include-directories",
            "--exclude-directories",
            "--post-data",
            "--post-file",
            "--body-file",
            "--header",
            "--user",
            "--password",
            "--config",
            "--use-askpass",
            "--method",
            "--body-data",
        ),
    )
    j.raise_to(N, "downloads over the network")
    for url in opts.operands:
        _host(j, url)
    if opts.has("-i", "--input-file") or opts.has("-H", "--span-hosts") or opts.dynamic:
        j.contact(UNKNOWN)
        j.read(*opts.values("-i", "--input-file"))
    j.read(*opts.values("--post-file", "--body-file", "--config"))
    documents = opts.values("-O", "--output-document")
    if documents:
        j.write(*[d for d in documents if d.text != "-"])
    elif not opts.has("--spider"):
        j.write(*(opts.values("-P", "--directory-prefix") or [Arg(".")]))
    j.write(*opts.values("-o", "--output-file", "-a", "--append-output"))
    if opts.has("-e", "--execute", "--config") or opts.dynamic:
        j.write(UNKNOWN)
    for word, value in opts.found("-e", "--execute", "--config"):
        # A wgetrc command can name a program (use_askpass) or files to write.
        j.escalate(N, "wget -e runs a wgetrc command, which can run a program", word, value)
    for word, value in opts.found("--use-askpass"):
        run_string(j, [word], value, "wget --use-askpass runs a program")


def judge_httpie(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(
        args,
        "aApo",
        (
            "--auth",
            "--auth-type",
            "--print",
            "--output",
            "--session",
            "--session-read-only",
            "--verify",
            "--cert",
            "--cert-key",
        ),
    )
    j.raise_to(N, "sends an HTTP request")
    operands = list(opts.operands)
    if operands and re.fullmatch(r"[A-Z]+", operands[0].text):
        operands.pop(0)  # the method
    if operands:
        url = operands.pop(0)
        if url.text.startswith(":"):
            j.contact("localhost")
        else:
            _host(j, url, "https" if name in ("https", "xhs") else "http")
    for item in operands:
        match = re.match(r"[^=:@]*(?:=@|:=@|@)(.+)", item.text)
        if item.dynamic:
            j.read(UNKNOWN)
        elif match:
            j.read(match.group(1))
    j.write(*opts.values("-o", "--output"))
    if opts.has("-d", "--download") and not opts.has("-o", "--output"):
        j.write(".")
    if opts.dynamic:
        j.contact(UNKNOWN)
        j.read(UNKNOWN)


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
    "curl": judge_curl,
    "wget": judge_wget,
    "http": judge_httpie,
    "https": judge_httpie,
    "xh": judge_httpie,
    "xhs": judge_httpie,
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
