"""An HTTP server on a loopback address that records every request it receives.

Used where a test must show that a request never arrived (a refused fetch, a secret that
must not leave): assert on ``requests`` after the call. Use it as a context manager.
"""

from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = tuple[int, dict[str, str], bytes]  # status, headers, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: RecordingServer


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        recorder = self.server.recorder
        with recorder.lock:
            recorder.requests.append(self.path)
            recorder.hosts.append(self.headers.get("Host", ""))
        status, headers, body = recorder.routes.get(
            self.path.split("?", 1)[0], (200, {"Content-Type": "text/plain"}, b"received\n")
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class RecordingServer:
    """Serves ``routes`` (path -> status, headers, body; anything else: 200 "received")
    on ``host`` (``127.0.0.1`` or ``::1``) and a free port, or ``port`` when given;
    over TLS with ``tls`` = (certificate file, key file)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        routes: dict[str, Route] | None = None,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.host = host
        self.routes = dict(routes or {})
        self.requests: list[str] = []  # request targets (path and query), in order
        self.hosts: list[str] = []  # the Host header of each
        self.lock = threading.Lock()
        kind = _Server6 if ":" in host else _Server
        self._server = kind((host, port), _Handler)
        self._server.recorder = self
        self.scheme = "https" if tls else "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.daemon = True

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def ipv6_loopback_works() -> bool:
    """Whether a socket can listen on ``::1`` here (containers may lack IPv6)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True
