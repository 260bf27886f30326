"""``flask run-demo`` (``make run``): the receiver listens before the worker starts, and one
Ctrl-C stops all three processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from workflow import webhooks
from workflow.db import write_transaction

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _running_with(marker: str) -> list[int]:
    """Pids of the processes whose command line holds ``marker`` (a port of this test's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker.encode() in argv and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def test_ctrl_c_stops_the_app_the_worker_the_receiver_and_the_mail_sink(session, database_url):
    with write_transaction(session):
        webhooks.add_subscription(session, "http://127.0.0.1:9/events", ["*"], name="demo-receiver")
    session.close()
    port, receiver_port, mail_port = _free_port(), _free_port(), _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ALUR_WEBHOOK_ALLOW_PRIVATE": "true",
        "ALUR_AUDIT_CHECKPOINT_MINUTES": "0",
        "PYTHONUNBUFFERED": "1",  # each line as it is printed, to wait for the worker's
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "run-demo"]
    demo = subprocess.Popen(
        [
            *command,
            *("--port", str(port), "--receiver-port", str(receiver_port)),
            *("--mail-port", str(mail_port)),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(demo.stdout), daemon=True)
    reader.start()
    try:
        _wait_for(
            lambda: _accepts(port) and _accepts(receiver_port) and _accepts(mail_port),
            60,
            "the app, the receiver and the mail sink",
        )
        _wait_for(lambda: any("outbox worker" in line for line in lines), 60, "the worker")
        children = _running_with(str(receiver_port)) + _running_with(str(port))
        assert len(children) >= 3  # run-demo itself, the receiver and the app
        demo.send_signal(signal.SIGINT)
        demo.wait(30)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(10)
        reader.join(10)
    output = "".join(lines)
    assert demo.returncode == 0, output
    # The worker was started only once the receiver listened.
    assert output.index(f"the receiver listens on :{receiver_port}") < output.index(
        "outbox worker"
    ), output
    assert output.index(f"demo mail sink on 127.0.0.1:{mail_port}") < output.index(
        "outbox worker"
    ), output
    assert not _accepts(port) and not _accepts(receiver_port) and not _accepts(mail_port)
    _wait_for(
        lambda: not [p for p in children if Path(f"/proc/{p}").exists()], 10, "every child gone"
    )
    assert "run-demo: stopped" in output
