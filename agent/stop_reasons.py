"""How a turn's stop reason is worded for people: one place, used by the terminal
(``harken ask`` / ``harken chat``) and the conversation window, so an answer cut short
is never shown as if it were complete. Imports nothing of Harken's."""

from __future__ import annotations

# Stop reasons of a complete answer, or ones worded elsewhere (errors, interruptions).
_COMPLETE = frozenset(
    {"end_turn", "stop_sequence", "tool_use", "pause_turn", "error", "interrupted", "max_turns"}
)


def stopped_short(stop_reason: str) -> bool:
    """Whether a turn that ended with ``stop_reason`` left its answer incomplete."""
    return stop_notice(stop_reason) != ""


def stop_notice(stop_reason: str, max_tokens: int | None = None) -> str:
    """One line telling the user why the answer is not complete (no "harken:" prefix),
    or "" when ``stop_reason`` means the answer is whole (or is worded elsewhere)."""
    if stop_reason in _COMPLETE or not stop_reason:
        return ""
    if stop_reason == "max_tokens":
        limit = f"max_tokens {max_tokens}" if max_tokens else "max_tokens"
        return f"the answer was cut off at the output limit ({limit}); ask it to continue"
    if stop_reason == "refusal":
        return "the model declined to continue (refusal)"
    if stop_reason == "model_context_window_exceeded":
        return (
            "the answer stopped: the context window was exhausted;"
            " start a new session or let older turns be compacted"
        )
    # A stop reason this version does not know: say it, rather than call the answer whole.
    return f"the answer stopped early (stop reason: {stop_reason})"


def stop_sentence(stop_reason: str, max_tokens: int | None = None) -> str:
    """``stop_notice`` as a sentence for a window ("The answer was cut off ... continue."),
    or "" when the answer is whole."""
    notice = stop_notice(stop_reason, max_tokens)
    return f"{notice[0].upper()}{notice[1:]}." if notice else ""
