"""``harken remote send|events|answer|status|interrupt``: drive a running Harken through
its bridge.

    harken remote send TEXT [--cwd DIR] [--session ID] [--wait] [--json]
        as if TEXT were spoken; prints the session id, or with --wait the answer as it
        streams (--json: one event per line) and exits as ``harken ask`` does; Ctrl-C
        while waiting stops the turn it started
    harken remote events          one JSON event per line until Ctrl-C
    harken remote answer REQUEST_ID allow|always|deny
    harken remote status [--json] what the running Harken is doing
    harken remote interrupt       stop what it is doing (as Stop in the tray)

Results go to stdout, errors to stderr.

They find the running Harken (the tray app or ``harken daemon``) and its token in
``bridge.json`` (``agent.bridge_server.discovery``). Nothing heavy at the top: websockets
loads inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.stop_reasons import stop_notice

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
STOP_WAIT_S = 10.0  # for the running Harken to take a Ctrl-C's interrupt


class RemoteError(Exception):
    """One line for people: why the running Harken could not be reached or refused."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def add_commands(commands: Any) -> None:
    """Add ``remote`` and its actions to the ``harken`` subparsers ``commands``."""
    parser = commands.add_parser("remote", help="drive a running Harken through its bridge")
    actions = parser.add_subparsers(dest="remote_action", metavar="ACTION", required=True)

    send = actions.add_parser("send", help="send a request as if it were spoken")
    send.add_argument("text", help="the request")
    send.add_argument("--cwd", type=Path, help="the folder to work in (daemon: a new session)")
    send.add_argument("--session", metavar="ID", help="continue this session")
    send.add_argument("--wait", action="store_true", help="print the answer; exit as `ask`")
    send.add_argument("--json", action="store_true", help="with --wait: one event per line")
    send.set_defaults(handler=run_send)

    events = actions.add_parser("events", help="print every event as a JSON line until Ctrl-C")
    events.set_defaults(handler=run_events)

    answer = actions.add_parser("answer", help="answer a permission question")
    answer.add_argument("request_id", metavar="REQUEST_ID")
    answer.add_argument("decision", choices=("allow", "always", "deny"))
    answer.set_defaults(handler=run_answer)

    status = actions.add_parser("status", help="what the running Harken is doing")
    status.add_argument("--json", action="store_true", help="the bridge's status as JSON")
    status.set_defaults(handler=run_status)

    interrupt = actions.add_parser("interrupt", help="stop what the running Harken is doing")
    interrupt.set_defaults(handler=run_interrupt)


def fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"harken: {message}", file=sys.stderr)
    return code


def _run(main: Callable[[], Any]) -> int:
    import asyncio

    try:
        return int(asyncio.run(main()))
    except RemoteError as exc:
        return fail(str(exc), exc.code)
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)


def run_send(args: argparse.Namespace) -> int:
    if args.json and not args.wait:
        return fail("--json needs --wait", EXIT_USAGE)
    if not args.text.strip():
        return fail("the request is empty", EXIT_USAGE)
    params: dict[str, Any] = {"text": args.text}
    if args.cwd is not None:
        cwd = args.cwd.expanduser().resolve()
        if not cwd.is_dir():
            return fail(f"{cwd} is not a folder", EXIT_USAGE)
        params["cwd"] = str(cwd)
    if args.session:
        params["session_id"] = args.session
    return _run(lambda: _send(params, args.wait, args.json))


def run_events(args: argparse.Namespace) -> int:
    return _run(_events)


def run_answer(args: argparse.Namespace) -> int:
    params = {"request_id": args.request_id, "decision": args.decision}
    return _run(lambda: _answer(params))


def run_status(args: argparse.Namespace) -> int:
    return _run(lambda: _status(args.json))


def run_interrupt(args: argparse.Namespace) -> int:
    return _run(_interrupt)


# -- the connection -------------------------------------------------------------------------


class Connection:
    """One bridge connection: calls (their replies by id) and event notifications."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._next_id = 0
        self.early_events: list[dict[str, Any]] = []  # events read while awaiting a reply

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """The method's result; RemoteError with the bridge's message for an error."""
        self._next_id += 1
        request = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params or {}}
        await self.ws.send(json.dumps(request))
        while True:
            message = await self._receive()
            if message.get("method") == "event":
                self.early_events.append(message.get("params") or {})
            elif message.get("id") == self._next_id:
                if "error" in message:
                    raise _refusal(method, message["error"])
                return message.get("result")

    async def event(self) -> dict[str, Any]:
        """The next event (those read during a call first)."""
        if self.early_events:
            return self.early_events.pop(0)
        while True:
            message = await self._receive()
            if message.get("method") == "event":
                return message.get("params") or {}

    async def _receive(self) -> dict[str, Any]:
        from websockets.exceptions import ConnectionClosed

        try:
            frame = await self.ws.recv()
        except ConnectionClosed:
            raise RemoteError("the bridge closed the connection (Harken quit?)") from None
        try:
            message = json.loads(frame)
        except ValueError:
            return {}
        return message if isinstance(message, dict) else {}


def _refusal(method: str, error: Any) -> RemoteError:
    """The bridge's error, in words for the person who ran the command."""
    from agent.bridge_server.rpc import METHOD_NOT_FOUND

    if not isinstance(error, dict):
        return RemoteError("the bridge refused")
    if error.get("code") == METHOD_NOT_FOUND:
        return RemoteError(
            f"the running Harken cannot {method}: it serves only status and sessions "
            "(`harken bridge serve`); start `harken` or `harken daemon` instead"
        )
    return RemoteError(str(error.get("message", "the bridge refused")))


def _bridge_info() -> Any:
    from agent.bridge_server import discovery

    path = discovery.discovery_file()
    info = discovery.read_info(path)
    if info is None and path.exists():
        raise RemoteError(
            f"cannot read {path} (empty or damaged): if Harken runs, restart it; "
            "if not, delete the file and start `harken` or `harken daemon`"
        )
    if info is None:
        raise RemoteError(
            f"Harken is not running (no {path}); start `harken` or `harken daemon` first"
        )
    if not discovery.is_live(info):
        raise RemoteError(
            f"Harken is not running: {path} is stale (pid {info.pid} does not answer); "
            "start `harken` or `harken daemon`"
        )
    return info


async def _connect() -> Any:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    info = _bridge_info()
    try:
        ws = await connect(
            info.url, additional_headers={"Authorization": f"Bearer {info.token}"}, max_size=None
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise RemoteError(f"the bridge refused the connection (HTTP {status})") from None
    except OSError as exc:
        raise RemoteError(f"cannot reach Harken at {info.url}: {exc}") from None
    return ws


async def _answer(params: dict[str, Any]) -> int:
    async with await _connect() as ws:
        await Connection(ws).call("permission.answer", params)
    print(f"Answered {params['request_id']}: {params['decision']}.")
    return EXIT_OK


async def _status(as_json: bool) -> int:
    async with await _connect() as ws:
        status = await Connection(ws).call("status")
    if as_json:
        print(json.dumps(status, ensure_ascii=False))
        return EXIT_OK
    status = status if isinstance(status, dict) else {}
    host = {"tray": "the tray app", "daemon": "harken daemon"}.get(status.get("host", ""))
    lines = [f"Harken {status.get('version', '?')} (pid {status.get('pid', '?')})"]
    lines[0] += f", {host}" if host else ", bridge only (`harken bridge serve`)"
    for key in ("state", "mode", "session", "workspace"):
        if status.get(key) is not None:
            lines.append(f"{key}: {status[key]}")
    questions = status.get("questions") or []
    if questions:
        lines.append(f"open questions: {', '.join(map(str, questions))}")
    print("\n".join(lines))
    return EXIT_OK


async def _interrupt() -> int:
    async with await _connect() as ws:
        await Connection(ws).call("interrupt")
    print("Interrupted.")
    return EXIT_OK


async def _events() -> int:
    import asyncio

    async with await _connect() as ws:
        connection = Connection(ws)
        await connection.call("subscribe")
        try:
            while True:
                print(json.dumps(await connection.event(), ensure_ascii=False), flush=True)
        except asyncio.CancelledError:  # Ctrl-C: the normal end
            return EXIT_OK


async def _send(params: dict[str, Any], wait: bool, as_json: bool) -> int:
    import asyncio

    async with await _connect() as ws:
        connection = Connection(ws)
        if wait:  # before sending, so not one event of the turn is missed
            await connection.call("subscribe")
        result = await connection.call("send", params)
        session_id = str(result["session_id"])
        if not wait:
            print(session_id)
            return EXIT_OK
        print(f"Session {session_id}.", file=sys.stderr)
        try:
            return await _follow(connection, session_id, as_json)
        except asyncio.CancelledError:  # Ctrl-C: stop the turn this command started
            return await _stop_turn(connection, session_id)


async def _stop_turn(connection: Connection, session_id: str) -> int:
    import asyncio

    try:
        async with asyncio.timeout(STOP_WAIT_S):
            await connection.call("interrupt", {"session_id": session_id})
    except (RemoteError, TimeoutError) as exc:
        return fail(
            f"interrupted; the turn in session {session_id} may still run ({exc})", EXIT_INTERRUPTED
        )
    return fail(f"interrupted: the turn in session {session_id} was stopped", EXIT_INTERRUPTED)


async def _follow(connection: Connection, session_id: str, as_json: bool) -> int:
    """Print the session's events until its turn ends; the exit status ``harken ask``'s."""
    at_line_start = True
    whole = not sys.stdout.isatty()  # a pipe gets whole messages, never a retried fragment
    pending: list[str] = []
    while True:
        event = await connection.event()
        if event.get("session_id") not in (session_id, None):
            continue  # another session of the same Harken
        kind = event.get("kind")
        if kind == "text_delta" and whole and not as_json:
            pending.append(str(event.get("text", "")))
            continue
        if kind in ("retrying", "error"):
            pending.clear()  # that attempt's text is thrown away
        elif kind in ("message_finished", "turn_finished") and pending:
            event_text, pending = "".join(pending), []
            sys.stdout.write(event_text)
            sys.stdout.flush()
            at_line_start = event_text.endswith("\n") if event_text else at_line_start
        if as_json:
            print(json.dumps(event, ensure_ascii=False), flush=True)
            if kind == "permission_requested":  # how to answer, for the person watching
                print(_note(event), file=sys.stderr, flush=True)
        elif kind == "text_delta":
            text = str(event.get("text", ""))
            sys.stdout.write(text)
            sys.stdout.flush()
            at_line_start = text.endswith("\n") if text else at_line_start
        elif kind in ("tool_started", "permission_requested", "notice", "events_dropped"):
            if not at_line_start:
                print(flush=True)
                at_line_start = True
            print(_note(event), file=sys.stderr, flush=True)
        if kind == "error":
            message = str(event.get("message", "the turn failed"))
            if not as_json:
                print(f"harken: {message}", file=sys.stderr)
        if kind == "turn_finished" and event.get("session_id") == session_id:
            if not as_json and not at_line_start:
                print(flush=True)
            return _exit_code(str(event.get("stop_reason", "")))


def _note(event: dict[str, Any]) -> str:
    kind = event.get("kind")
    if kind == "tool_started":
        return f"● {event.get('description', '')}"
    if kind == "permission_requested":
        rid = event.get("request_id", "?")
        return (
            f"? Allow {event.get('name')}: {event.get('description')}\n"
            f"  answer: harken remote answer {rid} allow|always|deny"
        )
    return str(event.get("message", ""))


def _exit_code(stop_reason: str) -> int:
    if stop_reason == "error":
        return EXIT_FAILED  # the error event said why
    if stop_reason == "interrupted":
        return fail("interrupted", EXIT_INTERRUPTED)
    if stop_reason == "max_turns":
        return fail("stopped after the most model round trips allowed")
    if notice := stop_notice(stop_reason):  # the answer is not whole: say why, exit 1
        return fail(notice)
    return EXIT_OK
