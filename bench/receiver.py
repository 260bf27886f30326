"""The benchmark's webhook receiver: a WSGI app that counts deliveries and answers 204.

Served by gunicorn in its own processes, so its ceiling can be measured apart
from the outbox worker that feeds it. It does what a careful receiver does
cheaply: parse the body and remember the ``webhook-id`` to drop duplicates.
"""

from __future__ import annotations

import json
import threading

SEEN: set[str] = set()
RECEIVED = [0]  # every delivery, duplicates too: the benchmark's progress
_LOCK = threading.Lock()


def app(environ, start_response):
    if environ["REQUEST_METHOD"] == "GET":  # the counts, for the benchmark to poll
        body = json.dumps({"distinct": len(SEEN), "received": RECEIVED[0]}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    json.loads(environ["wsgi.input"].read(length) or b"{}")
    with _LOCK:
        SEEN.add(environ.get("HTTP_WEBHOOK_ID", ""))
        RECEIVED[0] += 1
    start_response("204 No Content", [])
    return [b""]
