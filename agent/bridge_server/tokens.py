"""Bridge tokens: JWTs signed HS256 with the per-user secret, carrying ``exp`` and a
``scope`` claim (``observe``: events and status; ``control``: everything).

    issue_token(secret, scope, ttl_s)  -> the encoded JWT
    verify_token(secret, token)        -> Claims; TokenError says why not (never the token)
    parse_duration("15m")              -> seconds (30s, 15m, 8h, 7d; at most MAX_TTL_S)
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

import jwt

OBSERVE = "observe"
CONTROL = "control"
SCOPES = (OBSERVE, CONTROL)
ALGORITHM = "HS256"
ISSUER = "harken"
DEFAULT_TTL_S = 30 * 24 * 3600  # 30 days
MAX_TTL_S = 365 * 24 * 3600  # a year: a token meant to last longer should be rotated anyway
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*([+-]?)\s*(\d+)\s*([smhd])\s*$", re.IGNORECASE)


class TokenError(ValueError):
    """A token that must be refused; the message says why without quoting the token."""


@dataclass(frozen=True)
class Claims:
    """What a verified token grants, and until when (Unix seconds)."""

    scope: str
    expires: int

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``30s``, ``15m``, ``8h`` or ``7d``, above zero and at
    most a year; ValueError (saying which) otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 15m, 8h, 7d)")
    sign, digits, unit = match.groups()
    if sign == "-" or not digits.strip("0"):
        raise ValueError(f"the duration must be positive: {text!r} (use e.g. 30s, 15m, 8h, 7d)")
    too_long = f"{text.strip()!r} is too long: a token lasts at most 365d"
    if len(digits) > 12:  # int() of thousands of digits is refused (and never sane here)
        raise ValueError(too_long)
    seconds = int(digits) * _UNITS[unit.lower()]
    if seconds > MAX_TTL_S:
        raise ValueError(too_long)
    return seconds


def issue_token(secret: str, scope: str = CONTROL, ttl_s: int = DEFAULT_TTL_S) -> str:
    """A new token with ``scope`` that expires ``ttl_s`` seconds from now."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "iat": now,
        "exp": now + int(ttl_s),
        "scope": scope,
        "jti": uuid.uuid4().hex,  # two tokens issued in the same second still differ
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Claims:
    """The token's claims when it is well formed, signed with ``secret`` and unexpired."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],  # pinned: "none" and RS/HS confusion are refused
            issuer=ISSUER,
            options={"require": ["exp", "scope", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("expired token") from None
    except jwt.InvalidSignatureError:
        raise TokenError("wrong signature") from None
    except jwt.DecodeError:
        raise TokenError("malformed token") from None
    except jwt.InvalidTokenError as exc:
        raise TokenError(f"invalid token ({type(exc).__name__})") from None
    scope = claims.get("scope")
    if scope not in SCOPES:
        raise TokenError("unknown scope")
    return Claims(scope=str(scope), expires=int(claims["exp"]))
