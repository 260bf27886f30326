"""A receiver for the demo: verifies each delivery (Standard Webhooks) and prints it."""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def serve(port: int, secrets: list[str], *, echo: Callable[[str], None] = print) -> None:
    """Listen on 127.0.0.1:``port`` until interrupted; answer 204 to good deliveries, else 401."""
    server = make_server(port, secrets, echo=echo)
    echo(f"demo receiver on http://127.0.0.1:{server.server_port}/ — verifying deliveries")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def make_server(
    port: int, secrets: list[str], *, echo: Callable[[str], None] = print
) -> ThreadingHTTPServer:
    """The receiver's server on 127.0.0.1:``port`` (0: any free port), not yet serving."""
    verifiers = [Webhook(s) for s in secrets]
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            for verifier in verifiers:
                try:
                    event = verifier.verify(body, headers)
                    break
                except (WebhookVerificationError, ValueError):
                    continue
            else:
                echo(f"REFUSED {headers.get('webhook-id')}: signature does not verify")
                self.send_response(401)
                self.end_headers()
                return
            message_id = headers["webhook-id"]
            repeat = " (repeat: already seen)" if message_id in seen else ""
            seen.add(message_id)
            data = event.get("data", {})
            if event.get("type") == "audit.checkpoint":
                what = (
                    f"#{data.get('seq')} up to audit entry {data.get('audit_upto')}, "
                    f"digest {str(data.get('digest'))[:12]}"
                )
            else:
                what = (
                    f"#{data.get('id')} {data.get('from')} → {data.get('to')} by {data.get('via')}"
                )
            echo(f"received {message_id} {event.get('type')}: {what}{repeat}")
            echo("  " + json.dumps(data, ensure_ascii=False))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):  # the lines above say what matters
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)
