"""Addresses for the ear: a URL is read as its site, a file path as its file name.

Read aloud character by character, "github.com/anthropics/claude-code/issues/123" is
"github dot com slash anthropics slash claude dash code slash issues slash one hundred
and twenty three"; nobody follows that by ear. ``say_links(text)`` reduces every URL
(any scheme, or none: "docs.python.org/3/library", "www.example.com", "localhost:8080/api",
"git@github.com:a/b.git") to its site, and every path (absolute, "~/", "./", relative with
a file name or a trailing slash, Windows with either slash, any word with a backslash) to
its last part. E-mail addresses, which espeak reads well ("jane dot doe at example dot
com"), and words joined by a slash ("and/or", "TCP/IP") stay as they are.
"""

from __future__ import annotations

import re

# What ends an address: a trailing full stop or comma belongs to the sentence.
# Parentheses count only in pairs ("wiki/Foo_(bar)"); "(see x.org/a)" keeps its own.
_IN_PARENS = r"\([^\s()<>]*\)"
_TAIL = rf"(?:(?:{_IN_PARENS}|[^\s()<>\[\]{{}}\"'`])*(?:{_IN_PARENS}|[^\s()<>\[\]{{}}\"'`.,;:!?]))?"
_MAILTO = re.compile(r"\bmailto:(?=[^\s@]+@)", re.IGNORECASE)
_SCHEME_URL = re.compile(
    r"\b[a-z][a-z0-9+.-]*://(?:[^\s/@]+@)?(?:www\.)?([^/\s:?#()<>\[\]]*)(" + _TAIL + ")",
    re.IGNORECASE,
)
# "git@github.com:anthropics/claude-code.git", as ssh and git write addresses.
_SCP_URL = re.compile(r"(?<![\w.])[\w.-]+@((?:[\w-]+\.)+[a-z]{2,24}):[\w~./-]+", re.IGNORECASE)
# A host name: labels and a top-level domain of letters ("docs.python.org", "localhost"
# only with a port). Without a scheme, it counts as an address when "www." or a path or
# a port follows it; a bare "example.com" is left to be read as it is.
_HOST = r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}"
_BARE_URL = re.compile(
    rf"(?<![\w@./\\-])(?:www\.({_HOST})(?::\d+)?(?:/{_TAIL})?|({_HOST}|localhost)(?::\d+)?/{_TAIL}"
    rf"|({_HOST}|localhost):\d+\b/?)",
    re.IGNORECASE,
)
_SEGMENT = r"[\w.@+~-]+"
# Absolute, home and dot-relative paths: "/etc/hosts", "~/projects/x", "./run.sh".
_ROOTED_PATH = re.compile(rf"(?<![\w.~/\\-])(?:~|\.{{1,2}})?(?:/{_SEGMENT})+/?")
# Relative paths only when they look like one: a file name with an extension at the end,
# a trailing slash, or a hidden folder ("src/app/main.py", "tests/audio/", "a/.git/x"), so
# "and/or", "TCP/IP" and "read/write/execute" are read as words.
_RELATIVE_PATH = re.compile(
    rf"(?<![\w.~/\\-])(?:{_SEGMENT}/)+(?:{_SEGMENT}\.[A-Za-z]\w{{0,7}}\b|(?<=/)(?!\w))"
    rf"|(?<![\w.~/\\-])(?:{_SEGMENT}/)*\.\w+/{_SEGMENT}"
)
# "C:\Users\me\My Documents\report.docx", "C:/tmp/a.txt": a folder's name may hold spaces
# before capitalised words ("Program Files (x86)"), the file name none.
_WIN_NAME = r"[^\\/:*?\"<>|\s]+"
_WINDOWS_PATH = re.compile(
    rf"\b[A-Za-z]:[\\/](?:{_WIN_NAME}(?: [A-Z0-9(]{_WIN_NAME})*[\\/])*(?:{_WIN_NAME})?"
)
# Any other word with a backslash in it: "\\server\share\a.txt", "%APPDATA%\Harken\x.toml"
# (code, where a backslash escapes, is gone before this).
_BACKSLASH_PATH = re.compile(r"(?<!\S)[^\s\\]*(?:\\+[^\s\\]+)+\\?")


def say_links(text: str) -> str:
    """``text`` with URLs read as their site and paths as their last part."""
    text = _MAILTO.sub("", text)  # an e-mail address is read as it is
    text = _SCHEME_URL.sub(lambda m: _site(m.group(1)) or name_of(m.group(2)), text)
    text = _SCP_URL.sub(lambda m: _site(m.group(1)), text)
    text = _BARE_URL.sub(lambda m: _site(next(g for g in m.groups() if g)), text)
    text = _WINDOWS_PATH.sub(lambda m: name_of(m.group(0)), text)
    text = _BACKSLASH_PATH.sub(lambda m: name_of(m.group(0)), text)
    text = _ROOTED_PATH.sub(lambda m: name_of(m.group(0)), text)
    return _RELATIVE_PATH.sub(lambda m: name_of(m.group(0)), text)


def name_of(path: str) -> str:
    """A path as its last part ("/home/me/a.py" -> "a.py", "~/" -> "home"); anything
    without a slash or backslash unchanged."""
    if "/" not in path and "\\" not in path:
        return path
    parts = [p for p in re.split(r"[\\/]", path.rstrip("/\\")) if p]
    if not parts or parts == ["~"]:
        return "home"
    last = parts[-1]
    return last if last not in (".", "..") else "this folder"


def _site(host: str) -> str:
    host = host.rsplit("@", 1)[-1].lower()  # "EXAMPLE.COM" would be spelt out
    return host[4:] if host.startswith("www.") else host
