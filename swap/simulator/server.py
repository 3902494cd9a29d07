"""HTTP listeners for the simulated oxend and oxen-wallet-rpc (stdlib `ThreadingHTTPServer`).

Each `Endpoint` is one loopback listener answering `POST /json_rpc` like the real program:
JSON-RPC 2.0 envelopes, errors with HTTP 200, 404 for any other path or verb, optional HTTP
Basic auth (401 with `WWW-Authenticate`). A test drives it in-process through its `FaultPlan`
and `go_down`/`go_up` (refused connections); a separate process can drive the same things through
`POST /sim/<command>` when the control API is on (`swap.simulator.control`).
"""

from __future__ import annotations

import base64
import hmac
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from swap.simulator.faults import Fault, FaultPlan
from swap.simulator.params import INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR, Params, RpcError

ControlHandler = Callable[[str, dict[str, Any]], Any]


class Api(Protocol):
    unechoed_error_codes: frozenset[int]

    def dispatch(self, method: str, params: Params) -> dict[str, Any]: ...


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    endpoint: Endpoint


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: going down leaves nothing open

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests and the command stay quiet; failures show up in the clients

    def do_POST(self) -> None:
        endpoint = self.server.endpoint
        if not endpoint.authorized(self.headers.get("Authorization")):
            self._send(
                401, b"Login required", "text/plain", {"WWW-Authenticate": 'Basic realm="oxend rpc", charset="UTF-8"'}
            )
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/json_rpc":
            self._json_rpc(endpoint, body)
        elif self.path.startswith("/sim/") and endpoint.control is not None:
            self._control(endpoint.control, self.path.removeprefix("/sim/"), body)
        else:
            self._send(404, b"Not found", "text/plain")

    def do_GET(self) -> None:
        self._send(404, b"Not found", "text/plain")

    do_PUT = do_DELETE = do_HEAD = do_GET

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under a delay fault): nothing to answer

    def _reply(self, payload: dict[str, Any]) -> None:
        self._send(200, json.dumps(payload).encode(), "application/json")

    def _json_rpc(self, endpoint: Endpoint, body: bytes) -> None:
        api = endpoint.api
        try:
            request = json.loads(body)
        except ValueError:
            self._reply(_error(0, RpcError(PARSE_ERROR, "Parse error"), api))
            return
        request_id = request.get("id") if isinstance(request, dict) else None
        method = request.get("method") if isinstance(request, dict) else None
        if not isinstance(method, str):
            self._reply(_error(request_id, RpcError(INVALID_REQUEST, "Invalid Request"), api))
            return
        params = request.get("params", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            self._reply(_error(request_id, RpcError(INVALID_PARAMS, "Invalid params: params must be an object"), api))
            return
        endpoint.requests.append(method)

        fault = endpoint.faults.take(method)
        if fault is not None and self._apply_fault(fault, request_id, api):
            return
        try:
            result = api.dispatch(method, Params(params))
        except RpcError as error:
            self._reply(_error(request_id, error, api))
            return
        if fault is not None and fault.kind == "untrusted":
            result["untrusted"] = True
        self._reply({"jsonrpc": "2.0", "id": request_id, "result": result})

    def _apply_fault(self, fault: Fault, request_id: Any, api: Api) -> bool:
        """Play `fault`; True when it fully answered (or dropped) the request."""
        if fault.kind == "delay":
            time.sleep(fault.seconds)
            return False
        if fault.kind == "error":
            self._reply(_error(request_id, RpcError(fault.code, fault.message), api))
        elif fault.kind == "status":
            self._reply({"jsonrpc": "2.0", "id": request_id, "result": {"status": fault.status}})
        elif fault.kind == "http":
            self._send(fault.http_status, b"Internal Server Error", "text/plain")
        elif fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            return False
        return True

    def _control(self, control: ControlHandler, command: str, body: bytes) -> None:
        try:
            arguments = json.loads(body or b"{}")
            if not isinstance(arguments, dict):
                raise ValueError("the body must be a JSON object of arguments")
            outcome = control(command, arguments)
        except (ValueError, TypeError, LookupError) as error:
            self._send(400, json.dumps({"error": str(error)}).encode(), "application/json")
            return
        self._send(200, json.dumps({"result": outcome}).encode(), "application/json")


def _error(request_id: Any, error: RpcError, api: Api) -> dict[str, Any]:
    echoed = 0 if error.code in api.unechoed_error_codes else request_id
    return {"jsonrpc": "2.0", "id": echoed, "error": {"code": error.code, "message": error.message}}


class Endpoint:
    """One simulated RPC server on loopback; port 0 picks a free port, kept across go_down/go_up."""

    def __init__(
        self,
        name: str,
        api: Api,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        auth: tuple[str, str] | None = None,
        control: ControlHandler | None = None,
    ) -> None:
        self.name = name
        self.api = api
        self.host = host
        self.port = port
        self.control = control
        self.faults = FaultPlan()
        self.requests: deque[str] = deque(maxlen=10_000)  # recent methods received, for assertions
        self._expected_auth = None if auth is None else "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def authorized(self, header: str | None) -> bool:
        if self._expected_auth is None:
            return True
        return header is not None and hmac.compare_digest(header.encode(), self._expected_auth.encode())

    def start(self) -> None:
        if self._server is not None:
            return
        server = _Server((self.host, self.port), _Handler)
        server.endpoint = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sim-{self.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join()

    # A down server refuses connections; up again, it listens on the same port.
    go_down = stop
    go_up = start
