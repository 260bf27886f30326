"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1): it keeps what it is sent."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """Accepts every mail (or refuses each with ``refuse``), keeping them in ``messages``."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None  # an SMTP answer such as "451 try later"
        self.delay = 0.0  # seconds each mail takes to be accepted (a slow server)
        self.hang_up: set[int] = set()  # the mails (1, 2, … as they come) it drops the line on
        self.peers: set[tuple] = set()  # the connections mails came over (address, port)
        self._seen = 0
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        with self._lock:
            self._seen += 1
            self.peers.add(tuple(session.peer))
            drop = self._seen in self.hang_up
        if drop:
            server.transport.close()  # a server that went away mid-session
            return "421 closing"
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.peers.clear()
            self._seen = 0
        self.refuse = None
        self.delay = 0.0
        self.hang_up = set()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in m["To"]]
