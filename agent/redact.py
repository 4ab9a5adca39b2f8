"""Keep secrets out of logs: a logging filter that masks API keys and bearer tokens."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(
    r"(sk-ant-[A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]+"
    r"|((?:x-api-key|authorization)[\"']?\s*[:=]\s*[\"']?(?:Bearer\s+)?)[^\s\"',}]+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with anything that looks like an API key or auth header value masked."""
    return _SECRET.sub(lambda m: (m.group(1) or m.group(2)) + "…[redacted]", text)


class RedactingFilter(logging.Filter):
    """Masks secrets in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
