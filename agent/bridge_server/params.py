"""The params of the host methods, validated with pydantic (unknown fields refused).

send              {text, cwd?, session_id?}
ptt               {action: press|release|toggle}
interrupt         {session_id?}
permission.answer {request_id, decision: allow|always|deny}
subscribe         {}
ide.context       {file, selection?: {start_line, end_line, text}, open_files?: [...]}
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.bridge_server.rpc import INVALID_PARAMS, RpcError
from agent.tools.ide_context import IdeContext, IdeSelection

P = TypeVar("P", bound=BaseModel)
TEXT_LIMIT = 100_000  # characters of a prompt or a selection: a frame is not a file upload


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Empty(_Params):
    pass


class SendParams(_Params):
    text: str = Field(min_length=1, max_length=TEXT_LIMIT)
    cwd: str | None = None
    session_id: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _not_blank(self) -> SendParams:
        if not self.text.strip():
            raise ValueError("text is blank")
        return self


class InterruptParams(_Params):
    session_id: str | None = Field(default=None, min_length=1, max_length=200)


class PttParams(_Params):
    action: Literal["press", "release", "toggle"]


class AnswerParams(_Params):
    request_id: str = Field(min_length=1, max_length=200)
    decision: Literal["allow", "always", "deny"]


class SelectionParams(_Params):
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    text: str = Field(default="", max_length=TEXT_LIMIT)

    @model_validator(mode="after")
    def _ordered(self) -> SelectionParams:
        if self.end_line < self.start_line:
            raise ValueError("end_line is before start_line")
        return self


class IdeContextParams(_Params):
    file: str = Field(min_length=1, max_length=4096)
    selection: SelectionParams | None = None
    open_files: list[str] = Field(default_factory=list, max_length=1000)

    def context(self) -> IdeContext:
        selection = None
        if self.selection is not None:
            s = self.selection
            selection = IdeSelection(s.start_line, s.end_line, s.text)
        return IdeContext(self.file, selection, tuple(self.open_files))


def parse(model: type[P], params: dict[str, Any]) -> P:
    """``params`` as ``model``; an RpcError (invalid params) naming what is wrong."""
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'params'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise RpcError(INVALID_PARAMS, f"invalid params ({problems})") from None
