"""``flask run-demo``: the demo's three processes, started in order and stopped together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import click
from flask.cli import ScriptInfo

LISTEN_SECONDS = 30.0  # for the receiver to listen before the worker may deliver to it
STOP_SECONDS = 10.0  # for each process to stop on SIGTERM before it is killed
PORT = click.IntRange(1, 65535)


def _listening(port: int, process: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to each, the last started first; SIGKILL to any still running after a while."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_SECONDS)


@click.command("run-demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Where the app listens.")
@click.option("--port", type=PORT, default=5000, show_default=True)
@click.option("--receiver-port", type=PORT, default=5001, show_default=True)
@click.option("--mail-port", type=PORT, default=1025, show_default=True)
@click.pass_context
def run_demo(ctx, host, port, receiver_port, mail_port):
    """Serve the demo: its receiver and mail sink, then (once they listen) the outbox
    worker, then the app.

    Ctrl-C (or SIGTERM) stops them all; so does any of them stopping on its own. With
    ``ALUR_MAIL_SERVER`` set, mail goes there and no sink is started.
    """
    app = ctx.ensure_object(ScriptInfo).app_import_path or "wsgi"

    env = dict(os.environ)
    sink = not env.get("ALUR_MAIL_SERVER")
    if sink:  # the demo's mails go to its own sink, printed in this terminal
        env.update(ALUR_MAIL_SERVER="127.0.0.1", ALUR_MAIL_PORT=str(mail_port))

    def start(name: str, *args: str) -> subprocess.Popen:
        # In a session of its own: Ctrl-C reaches this command, which stops them in turn.
        command = [sys.executable, "-m", "flask", "--app", app, *args]
        processes.append(subprocess.Popen(command, start_new_session=True, env=env))
        names[processes[-1].pid] = name
        return processes[-1]

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    processes: list[subprocess.Popen] = []
    names: dict[int, str] = {}
    code = 0
    try:
        receiver = start("the receiver", "webhooks", "demo-receiver", "--port", str(receiver_port))
        if not _listening(receiver_port, receiver, LISTEN_SECONDS):
            raise click.ClickException(f"the demo receiver did not listen on :{receiver_port}")
        if sink:
            mails = start("the mail sink", "outbox", "demo-mail-sink", "--port", str(mail_port))
            if not _listening(mail_port, mails, LISTEN_SECONDS):
                raise click.ClickException(f"the demo mail sink did not listen on :{mail_port}")
        click.echo(f"run-demo: the receiver listens on :{receiver_port}; starting the worker")
        start("the worker", "outbox", "work")
        start("the app", "run", "--host", host, "--port", str(port))
        while not stop.wait(0.2):
            ended = [p for p in processes if p.poll() is not None]
            if ended:
                code = ended[0].returncode or 1
                click.echo(f"run-demo: {names[ended[0].pid]} stopped; stopping the rest")
                break
    finally:
        _stop(processes)
    click.echo("run-demo: stopped")
    ctx.exit(code)
