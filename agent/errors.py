"""Errors that end a turn, and how an API failure becomes one clear line.

HarkenError            base; ``str()`` is one line for people
├── ConfigError        the user's configuration cannot be used
├── NoApiKey           no key in the environment or the keyring
├── EmptyReply         the model's answer held nothing that could be kept
└── ApiFailure         the Messages API refused or could not be reached
    │                  (``retryable`` says whether waiting may help)
    └── IncompleteReply  a streamed answer ended before the API said it was over
"""

from __future__ import annotations

from typing import Any


class HarkenError(Exception):
    """A failure with a one-line message for people."""


class ConfigError(HarkenError):
    """The configuration cannot be used."""


class NoApiKey(HarkenError):
    """No key for Anthropic's API; a local Anthropic-compatible server needs none."""

    def __init__(self) -> None:
        super().__init__(
            "No API key: set ANTHROPIC_API_KEY or store a key with `harken key set`; "
            "or, for a local Anthropic-compatible server, set ANTHROPIC_BASE_URL or the "
            "base_url setting (README: Local models)."
        )


class ApiFailure(HarkenError):
    """An API call failed; ``status`` is the HTTP status (None for network errors)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class IncompleteReply(ApiFailure):
    """The stream ended (or broke) before the message's stop reason arrived, or with a
    block never closed: the same as a dropped connection, so it is retried."""

    def __init__(self, why: str) -> None:
        super().__init__(
            f"The API's answer broke off before it was complete: {why}.", retryable=True
        )


class EmptyReply(HarkenError):
    """The model's answer held no content the conversation can keep (the API refuses an
    empty assistant message in the next request, so it is not stored)."""

    def __init__(self, stop_reason: str, max_tokens: int) -> None:
        if stop_reason == "max_tokens":
            message = (
                f"Nothing came back: the answer hit the output limit (max_tokens {max_tokens}) "
                "before any part of it was complete. Raise max_tokens (or lower "
                "thinking_budget) in the config."
            )
        else:
            message = (
                f"Nothing came back: the model sent an empty answer (stop reason: {stop_reason})."
                " Ask again, perhaps in other words."
            )
        super().__init__(message)
        self.stop_reason = stop_reason


RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


def api_failure(exc: BaseException, base_url: str = "") -> ApiFailure:
    """Translate an ``anthropic`` SDK exception into an ``ApiFailure`` with one line."""
    import anthropic  # lazy: importing the SDK costs about a second

    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        detail = _api_message(exc.body) or exc.message
        line = ""
        if status < 400:
            # An `error` event inside a 200 stream: its type says what happened, and the
            # line names that type, never an HTTP status that was not sent.
            error_type = _api_error_type(exc.body)
            status = _STATUS_OF_ERROR_TYPE.get(error_type, 500)
            line = _stream_error_line(error_type or "api_error", status, detail)
        return ApiFailure(
            line or _status_line(status, detail),
            status=status,
            retryable=status in RETRYABLE_STATUS,
            retry_after=_retry_after(exc.response.headers),
        )
    if isinstance(exc, anthropic.APITimeoutError):
        return ApiFailure("The API did not answer in time (timeout).", retryable=True)
    if isinstance(exc, anthropic.APIConnectionError):
        where = f" at {base_url}" if base_url else ""
        cause = exc.__cause__ or exc.__context__
        why = f": {_first_line(str(cause))}" if cause and str(cause) else ""
        return ApiFailure(f"Cannot reach the API{where}{why}", retryable=True)
    if type(exc).__module__.startswith(("httpx", "httpcore")):
        return ApiFailure(
            f"The connection to the API broke: {_first_line(str(exc)) or type(exc).__name__}",
            retryable=True,
        )
    if isinstance(exc, anthropic.APIResponseValidationError):
        return ApiFailure("The API sent a response Harken could not read.")
    return ApiFailure(f"API error: {_first_line(str(exc)) or type(exc).__name__}")


def _status_line(status: int, detail: str) -> str:
    detail = _first_line(detail)
    if status == 401:
        return "The API key was rejected (401 authentication error). Check ANTHROPIC_API_KEY."
    if status == 403:
        return f"The API key may not do this (403 permission denied): {detail}"
    if status == 404:
        return f"Not found (404): {detail}. Check the model id."
    if status == 400:
        return f"The API rejected the request (400): {detail}"
    if status == 413:
        return "The request is too large for the API (413)."
    if status == 429:
        return f"Rate limited by the API (429): {detail}"
    if status == 529:
        return "The API is overloaded (529); try again in a moment."
    if status >= 500:
        return f"The API had an internal error ({status}): {detail}"
    return f"API error {status}: {detail}"


def _stream_error_line(error_type: str, status: int, detail: str) -> str:
    """An ``error`` event the API sent inside a streamed answer, in one line."""
    detail = _first_line(detail)
    said = f"{error_type}, sent mid-answer"
    if status == 529:
        return f"The API reported it is overloaded ({said}); try again in a moment."
    if status == 429:
        return f"Rate limited by the API ({said}): {detail}"
    if status >= 500:
        return f"The API had an internal error ({said}): {detail}"
    return f"The API stopped the answer with an error ({said}): {detail}"


_STATUS_OF_ERROR_TYPE = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def _api_error_type(body: Any) -> str:
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and isinstance(err.get("type"), str):
            return err["type"]
    return ""


def _api_message(body: Any) -> str:
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"]
    return ""


def _retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds form), if present."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name) if headers is not None else None
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) * scale)
        except ValueError:
            continue
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
