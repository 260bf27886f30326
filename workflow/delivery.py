"""Delivering events to subscribers: the signed HTTP request, and the worker that claims
deliveries, sends them and records each answer (``workflow.outbox``)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import urllib3
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from workflow.db import utcnow
from workflow.outbox import (
    MAX_BODY,
    MAX_ERROR,
    USER_AGENT,
    Answer,
    Claim,
    Settings,
    claim,
    fan_out,
    record,
)
from workflow.webhooks import Target, target


def sign(claim: Claim, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers: one signature per valid secret (for rotation)."""
    at = at.astimezone(UTC)  # the reference signer would read a local time as UTC
    signatures = " ".join(Webhook(s).sign(claim.message_id, at, claim.body) for s in claim.secrets)
    return {
        "webhook-id": claim.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


class _Watchdog:
    """One thread per process that cuts off the connections whose answer is late (a
    thread per delivery, as ``threading.Timer`` would start, cost the sends their pace)."""

    TICK = 0.05  # seconds: how late past its limit an answer may be cut off

    def __init__(self):
        self._lock = threading.Lock()
        self._due: dict[int, tuple[float, _AnswerInTime, socket.socket]] = {}
        self._thread: threading.Thread | None = None

    def watch(self, conn: _AnswerInTime, sock: socket.socket, seconds: float) -> None:
        with self._lock:
            self._due[id(conn)] = (time.monotonic() + seconds, conn, sock)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="outbox-watchdog")
                self._thread.daemon = True  # it holds nothing: the process may end under it
                self._thread.start()

    def forget(self, conn: _AnswerInTime) -> None:
        with self._lock:
            self._due.pop(id(conn), None)

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            with self._lock:
                late = [key for key, (due, _c, _s) in self._due.items() if due <= now]
                for key in late:
                    # Cut under the lock: once ``forget`` has returned, a connection handed
                    # back to its pool and reused is never cut for the answer before.
                    _due, conn, sock = self._due.pop(key)
                    conn.cut_off(sock)
                if not self._due:
                    self._thread = None  # the next watch starts another
                    return


_WATCHDOG = _Watchdog()


class _AnswerInTime:
    """A connection whose answer, status line, headers and body, must all come within its
    read timeout, counted once from the request, not per read of the socket: a receiver
    that trickles a byte at a time held a worker (and its lease) without end."""

    _cut = False

    def getresponse(self, *args, **kwargs):
        self._cut = False
        sock, limit = self.sock, self.timeout
        if sock is not None and isinstance(limit, int | float) and limit > 0:
            _WATCHDOG.watch(self, sock, limit)
        try:
            response = super().getresponse(*args, **kwargs)
        except BaseException:
            self.stop_watching()
            if self._cut:
                raise TimeoutError("the answer did not come in time") from None
            raise
        if self._cut:  # the headers were cut short: no answer, whatever came of it
            self.stop_watching()
            raise TimeoutError("the answer did not come in time")
        return response

    def cut_off(self, sock: socket.socket) -> None:
        self._cut = True
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # a blocked read returns at once

    def stop_watching(self) -> None:
        _WATCHDOG.forget(self)


class _HTTPConnection(_AnswerInTime, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_AnswerInTime, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def http_pool(settings: Settings) -> urllib3.PoolManager:
    """Kept-alive connections for the worker's sends, one pool per receiver host.

    Direct: an environment proxy would see every event. No retries or redirects
    of its own: the outbox schedules retries, and a redirect means the URL
    should be fixed.
    """
    pools = urllib3.PoolManager(
        num_pools=64,
        maxsize=settings.concurrency,
        headers={"user-agent": USER_AGENT},
        retries=False,
        timeout=urllib3.Timeout(connect=settings.timeout, read=settings.timeout),
    )
    pools.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return pools


def check(url: str, settings: Settings) -> Target:
    """``url``'s host resolved and checked now, as at subscription: a name may since point
    elsewhere (DNS rebinding); ValueError if it may not be sent to."""
    return target(url, allow_private=settings.allow_private, timeout=settings.timeout)


def send(
    http: urllib3.PoolManager,
    claim: Claim,
    settings: Settings,
    checked: Callable[[], Target] | None = None,
) -> Answer:
    """POST one delivery; never raises for the receiver's or the network's faults.

    The URL's host is resolved and checked again (``check``), or ``checked`` gives the
    batch's answer for it. The request then goes to the addresses that were checked,
    with the name kept in ``Host`` and for TLS (SNI and the certificate's name), so no
    second resolution can send it anywhere else.
    """
    started_at = utcnow()
    clock = time.monotonic()
    status, error, retry_after = None, None, None
    try:
        where = checked() if checked is not None else check(claim.url, settings)
    except ValueError as exc:
        duration = int((time.monotonic() - clock) * 1000)
        return Answer(started_at, duration, error=f"not sent: {exc}"[:MAX_ERROR])
    try:
        response = _post(http, where, claim, sign(claim, started_at))
        # Kept now: urllib3 hands the connection back to its pool (and forgets it here)
        # as soon as the answer has been read to its end.
        connection = response.connection
        try:
            status = response.status
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            # Read a short answer to its end even on success: only then can the
            # connection carry the next delivery instead of being opened anew.
            excerpt = _excerpt(response, clock + settings.timeout)
            if not 200 <= status < 300:
                error = excerpt or response.reason or f"HTTP {status}"
        finally:
            if isinstance(connection, _AnswerInTime):
                connection.stop_watching()
            response.release_conn()
    except urllib3.exceptions.NewConnectionError as exc:
        error = f"ConnectError: {_reason(exc)}"[:MAX_ERROR]
    except urllib3.exceptions.TimeoutError:
        error = f"timed out (limit {settings.timeout:g} s)"
    except Exception as exc:  # the network's or an URL's fault: the delivery fails, not the worker
        error = f"{type(exc).__name__}: {_reason(exc)}"[:MAX_ERROR]
    duration = int((time.monotonic() - clock) * 1000)
    if error is not None:
        # The receiver writes the answer (its body, kept to MAX_BODY by ``_excerpt``, or its
        # status line): a NUL in it could not be stored (PostgreSQL text holds none), and
        # would fail the record of the whole batch with it.
        error = error.replace("\x00", "\ufffd")
    return Answer(started_at, duration, status, error, retry_after)


def _post(http: urllib3.PoolManager, where: Target, claim: Claim, headers: dict):
    """POST to the checked addresses in turn, until one takes the connection."""
    headers = {**headers, "host": urlsplit(claim.url).netloc}
    tls = {"server_hostname": where.host, "assert_hostname": where.host}
    for i, address in enumerate(where.addresses):
        pool = http.connection_from_host(
            address, where.port, where.scheme, pool_kwargs=tls if where.scheme == "https" else None
        )
        try:
            return pool.urlopen(
                "POST",
                where.path,
                body=claim.body.encode(),
                headers=headers,
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
            )
        except urllib3.exceptions.NewConnectionError:
            if i == len(where.addresses) - 1:
                raise
    raise AssertionError("a checked target has at least one address")  # resolve_host's promise


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "reason", None) or exc)


def _excerpt(response: urllib3.BaseHTTPResponse, deadline: float) -> str:
    """Up to MAX_BODY bytes of the answer, as text; a longer one closes the connection."""
    chunks, size = [], 0
    for chunk in response.stream(1024, decode_content=True):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY or time.monotonic() > deadline:
            response.close()  # the rest is not wanted: a new connection costs less
            break
    text = b"".join(chunks)[:MAX_BODY].decode("utf-8", "replace").replace("\x00", "\ufffd")
    text = text.strip()
    while len(text.encode()) > MAX_BODY:  # a replaced byte takes three
        text = text[:-1]
    return text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


# -- the worker ------------------------------------------------------------------------


def _waiting(checked: Future, settings: Settings) -> Callable[[], Target]:
    """``checked``'s target, waited for no longer than the check's own limit and a second:
    started before any send that waits for it, it ends within that limit."""
    seconds = settings.timeout + 1.0

    def result() -> Target:
        try:
            return checked.result(timeout=seconds)
        except TimeoutError:
            raise ValueError(f"the address was not checked within {seconds:g} s") from None

    return result


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Worker:
    """Fans out, claims, sends and records, over and over (``run``) or until idle (``once``)."""

    session: Session
    settings: Settings = field(default_factory=Settings)
    name: str = field(default_factory=default_worker_name)
    totals: dict[str, int] = field(default_factory=dict)
    report: Callable[[Claim, Answer, str], None] | None = None  # told of every attempt
    # Other work done between rounds of ``run``: (every so many seconds, what), each
    # given the session; a chore that fails is told to ``chore_failed`` and tried again
    # next time, and never stops the deliveries.
    chores: list[tuple[float, Callable[[Session], object]]] = field(default_factory=list)
    chore_failed: Callable[[Exception], None] | None = None

    _sending: list[tuple[Claim, Future]] = field(default_factory=list, repr=False)

    def step(self, http: urllib3.PoolManager, pool: ThreadPoolExecutor) -> int:
        """One round; return how many events and deliveries it handled.

        A round claims and starts sending a batch, then records the previous
        batch's answers while this one is on the wire: the database and the
        network work at the same time instead of by turns.
        """
        fanned = fan_out(self.session, limit=self.settings.fan_out_batch)
        claims = claim(self.session, self.name, self.settings)
        # Each receiver's host is looked up and checked once a batch, not once a delivery
        # (a name's lookup costs a thread and the resolver's round trip): the batch goes
        # out within seconds of it, to the addresses checked. Submitted first, each check
        # is taken by a thread before any send that waits for it.
        checks = {url: pool.submit(check, url, self.settings) for url in {c.url for c in claims}}
        sending = [
            (c, pool.submit(send, http, c, self.settings, _waiting(checks[c.url], self.settings)))
            for c in claims
        ]
        recorded = self._record(self._sending)
        self._sending = sending
        return fanned + len(claims) + recorded

    def _record(self, sending: list[tuple[Claim, Future]]) -> int:
        if not sending:
            return 0
        results = [(claim_, future.result()) for claim_, future in sending]
        outcomes = record(self.session, results, self.name, self.settings)
        for (claim_, answer), outcome in zip(results, outcomes, strict=True):
            self.totals[outcome] = self.totals.get(outcome, 0) + 1
            if self.report is not None:
                self.report(claim_, answer, outcome)
        return len(results)

    def once(self) -> dict[str, int]:
        """Deliver whatever is due now, then return the counts per outcome."""
        with self._tools() as (http, pool):
            while self.step(http, pool):
                pass
        return self.totals

    def run(self, stop: threading.Event) -> dict[str, int]:
        """Deliver until ``stop`` is set, resting ``settings.poll`` seconds when idle."""
        last_done = [float("-inf")] * len(self.chores)
        with self._tools() as (http, pool):
            while not stop.is_set():
                self._do_chores(last_done)
                if not self.step(http, pool):
                    stop.wait(self.settings.poll)
        return self.totals

    def _do_chores(self, last_done: list[float]) -> None:
        for i, (every, chore) in enumerate(self.chores):
            if time.monotonic() - last_done[i] < every:
                continue
            last_done[i] = time.monotonic()
            try:
                chore(self.session)
            except Exception as exc:  # a chore must not stop the deliveries
                self.session.rollback()
                if self.chore_failed is not None:
                    self.chore_failed(exc)

    @contextmanager
    def _tools(self):
        http = http_pool(self.settings)
        pool = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="outbox")
        try:
            yield http, pool
            self._record(self._sending)  # what is still on the wire when stopped
        finally:
            self._sending = []
            pool.shutdown(wait=True)
            http.clear()
