"""Programs that transfer data over HTTP and friends: curl, wget and httpie (http, xh).

Every URL given is a host contacted (a ``file:`` URL a local read instead); what they save
is a write and what they send from a file (``-d @file``, ``--post-file``) a read. What
they start (``wget --use-askpass``, a wgetrc command) are escalations, which an allow rule
for the program alone does not approve."""

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

N = Effect.NETWORK


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


RULES: dict[str, Rule] = {
    "curl": judge_curl,
    "wget": judge_wget,
    "http": judge_httpie,
    "https": judge_httpie,
    "xh": judge_httpie,
    "xhs": judge_httpie,
}
