"""The journal: what Harken did while nobody watched, one Markdown file per day.

    entry.Entry                     one timestamped entry (task run, tick, background job,
                                    note) and its Markdown form
    files.journal_dir(), day_file(day)
                                    ``<data>/journal/YYYY/MM/YYYY-MM-DD.md``
    files.append(entry)             one atomic append (O_APPEND, one write, fsync)
    files.read_day(day)             the day's entries; a torn last entry is marked, not fatal
    files.digest_since(ts, workspace)
                                    recent days' entries as text for the memory dream

The files are append-only: nothing is ever rewritten. Every entry is one ``write`` on a
descriptor opened with ``O_APPEND``, so entries from the CLI, the tray and the daemon never
interleave, and is synced before ``append`` returns. An entry starts with a blank line and
ends with an end marker, so a crash mid-write leaves a torn entry that readers recognise
and that the next entry starts cleanly after.

Imports: the standard library, ``agent.paths`` and ``agent.redact`` (secrets are masked
before an entry is written) only. Never ``desktop`` or ``audio``.
"""

from __future__ import annotations

from agent.journal.entry import Entry
from agent.journal.files import append, day_file, journal_dir, read_day

__all__ = ["Entry", "append", "day_file", "journal_dir", "read_day"]
