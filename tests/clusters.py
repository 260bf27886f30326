"""PostgreSQL clusters of a test's own, on free ports (``pg_createcluster``): the machine's
own cluster must not be restarted or made read only, and a streaming replica needs a
primary it can follow. Each is dropped after its test, on either leg of the suite."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import psycopg

PG_VERSION = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else ""
SECONDS = 120  # each command's bound


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS, check=False)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stdout}{done.stderr}"
    return done.stdout


class Cluster:
    """A cluster with a database ``alur``; ``Cluster(replica_of=primary)`` follows one."""

    def __init__(self, *, replica_of: Cluster | None = None):
        self.name = f"alurtest{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/alur"
        self.primary = replica_of

    def create(self) -> Cluster:
        # fsync off: a test's cluster need not survive the machine; restarts keep it all.
        options = ["-p", str(self.port), "-o", "fsync=off"]
        if self.primary is None:
            run(
                "pg_createcluster", PG_VERSION, self.name, *options, "--start", "--", "--auth=trust"
            )
            run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "alur")
            return self
        run("pg_createcluster", PG_VERSION, self.name, *options, "--", "--auth=trust")
        data = Path(f"/var/lib/postgresql/{PG_VERSION}/{self.name}")
        shutil.rmtree(data)
        # A copy of the primary that streams its WAL from it (-R: standby.signal and
        # primary_conninfo), as a standby is made in production.
        run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary.port),
            "-U",
            "postgres",
            "-D",
            str(data),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        shutil.chown(data, "postgres", "postgres")
        for path in data.rglob("*"):
            shutil.chown(path, "postgres", "postgres")
        data.chmod(0o700)
        self.ctl("start")
        self.wait_until_answering()
        return self

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + SECONDS
        while True:
            try:
                self.query("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def ctl(self, action: str, *extra: str) -> None:
        run("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.name, action, *extra)

    def sql(self, statement: str) -> None:
        run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "alur",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            statement,
        )

    def query(self, statement: str, *args):
        with psycopg.connect(self.url, connect_timeout=10, autocommit=True) as conn:
            return conn.execute(statement, args).fetchall()

    def log(self) -> str:
        """The server's log so far (where ``pg_createcluster`` puts it)."""
        path = Path(f"/var/log/postgresql/postgresql-{PG_VERSION}-{self.name}.log")
        return path.read_text(errors="replace")

    def drop(self) -> None:
        subprocess.run(
            ["pg_dropcluster", PG_VERSION, self.name, "--stop"],
            capture_output=True,
            timeout=SECONDS,
            check=False,
        )
