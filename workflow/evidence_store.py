"""Where evidence files are kept: by their SHA-256, on the local disk (the instance folder,
by default) or in S3-compatible object storage (production: several app servers share it).

A file is written before the row that names it, under its own hash: a row rolled back
leaves at most a file nobody names, and the same file sent twice is kept once. The store
is the process's, set from the app's config at start (``configure``), as the rule settings
are (``workflow.settings``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

# Seconds any call to object storage may take: nothing waits forever.
S3_TIMEOUT = 20


class Store(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


class Missing(LookupError):
    """The store holds no file under the key."""


class LocalStore:
    """Files in a folder: ``<root>/<first two hex digits>/<sha256>``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then moved into place: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise Missing(key) from None


class S3Store:
    """Objects in a bucket of S3-compatible storage, under ``evidence/<sha256>``."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or "us-east-1",
            config=Config(
                connect_timeout=S3_TIMEOUT,
                read_timeout=S3_TIMEOUT,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=f"evidence/{key}", Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=f"evidence/{key}")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise Missing(key) from None
            raise
        return answer["Body"].read()


_STORE: Store | None = None
MAX_BYTES = 5 * 1024 * 1024


def configure(config: Mapping, instance_path: str | Path) -> Store:
    """The store the app's config names: ``EVIDENCE_STORE`` ``local`` (``EVIDENCE_DIR``,
    by default ``<instance>/evidence``) or ``s3`` (``EVIDENCE_S3_BUCKET``,
    ``EVIDENCE_S3_ENDPOINT_URL``, ``EVIDENCE_S3_REGION``; credentials as boto3 finds them);
    ``EVIDENCE_MAX_BYTES`` the largest file taken."""
    global _STORE, MAX_BYTES
    kind = str(config.get("EVIDENCE_STORE") or "local").lower()
    MAX_BYTES = int(config.get("EVIDENCE_MAX_BYTES") or MAX_BYTES)
    if kind == "local":
        _STORE = LocalStore(config.get("EVIDENCE_DIR") or Path(instance_path) / "evidence")
    elif kind == "s3":
        bucket = config.get("EVIDENCE_S3_BUCKET")
        if not bucket:
            raise ValueError("EVIDENCE_STORE=s3 needs EVIDENCE_S3_BUCKET")
        _STORE = S3Store(
            bucket,
            endpoint_url=config.get("EVIDENCE_S3_ENDPOINT_URL"),
            region=config.get("EVIDENCE_S3_REGION"),
        )
    else:
        raise ValueError(f"EVIDENCE_STORE is 'local' or 's3', not {kind!r}")
    return _STORE


def store() -> Store:
    if _STORE is None:
        raise RuntimeError("the evidence store is not configured (workflow.evidence_store)")
    return _STORE


def use(new: Store) -> Store | None:
    """Put ``new`` in place (the tests' S3 server); the store before it."""
    global _STORE
    old, _STORE = _STORE, new
    return old
