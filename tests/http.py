"""Real HTTP on 127.0.0.1 for the webhook tests: the app served live, and a receiver.

The receiver verifies every delivery with the ``standardwebhooks`` reference
package, as a subscriber's own code would, and answers as its script says.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug.serving import make_server


class LiveServer:
    """The Flask app on a free port, in a thread, with a thread per request."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def signed(secret: str, body: bytes, *, msg_id: str, at: datetime | None = None) -> dict:
    """Standard Webhooks headers for ``body``, signed by the reference package."""
    at = at or datetime.now(UTC)
    try:
        signature = Webhook(secret).sign(msg_id, at, body.decode())
    except UnicodeDecodeError:  # the reference signer takes text; sign the bytes by hand
        key = base64.b64decode(secret.removeprefix("whsec_"))
        mac = hmac.new(key, f"{msg_id}.{int(at.timestamp())}.".encode() + body, hashlib.sha256)
        signature = "v1," + base64.b64encode(mac.digest()).decode()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


@dataclass
class Delivery:
    webhook_id: str
    timestamp: str
    event: dict


# A script maps (webhook-id, how many times it was seen before) to (status, headers, delay).
Script = Callable[[str, int], tuple[int, dict, float]]


def always(status: int = 204, headers: dict | None = None, delay: float = 0.0) -> Script:
    return lambda _id, _n: (status, headers or {}, delay)


def fail_then_succeed(failures: int, status: int = 503) -> Script:
    return lambda _id, n: (status if n < failures else 204, {}, 0.0)


@dataclass
class Receiver:
    """A subscriber's endpoint: verifies, records, answers by ``script``."""

    secret: str = ""
    script: Script = field(default_factory=always)
    deliveries: list[Delivery] = field(default_factory=list)  # verified, in arrival order
    unverified: list[str] = field(default_factory=list)  # why each refused request failed
    connections: set[tuple] = field(default_factory=set)  # the senders' (host, port) seen

    def __post_init__(self):
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver offers it

            def do_POST(self):
                receiver._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.connections.add(handler.client_address)
        try:
            event = Webhook(self.secret).verify(body, headers)
        except (WebhookVerificationError, ValueError) as exc:
            with self._lock:
                self.unverified.append(str(exc))
            handler.send_response(401)
            handler.send_header("content-length", "0")
            handler.end_headers()
            return
        with self._lock:
            seen = sum(1 for d in self.deliveries if d.webhook_id == headers["webhook-id"])
            self.deliveries.append(
                Delivery(headers["webhook-id"], headers["webhook-timestamp"], event)
            )
        status, extra, delay = self.script(headers["webhook-id"], seen)
        if delay:
            time.sleep(delay)
        payload = b"" if status in (204, 304) else json.dumps({"status": status}).encode()
        try:
            handler.send_response(status)
            for name, value in extra.items():
                handler.send_header(name, value)
            handler.send_header("content-length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            pass  # the sender gave up (timeout) before the answer

    @property
    def ids(self) -> list[str]:
        with self._lock:
            return [d.webhook_id for d in self.deliveries]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
