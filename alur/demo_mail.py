"""A mail sink for the demo (aiosmtpd on 127.0.0.1): it prints each mail's recipient and subject."""

from __future__ import annotations

import threading
from collections.abc import Callable
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Printer:
    """aiosmtpd's handler: one line per mail received, nothing kept."""

    def __init__(self, echo: Callable[[str], None]):
        self.echo = echo

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        subject = " ".join(str(message["Subject"] or "").split())
        self.echo(f"mail to {', '.join(envelope.rcpt_tos)}: {subject}")
        return "250 OK"


def serve(port: int, stop: threading.Event, *, echo: Callable[[str], None] = print) -> None:
    """Accept mail on 127.0.0.1:``port`` until ``stop`` is set."""
    controller = Controller(Printer(echo), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    echo(f"demo mail sink on 127.0.0.1:{port} — each mail is printed here")
    try:
        stop.wait()
    finally:
        controller.stop()
