"""Where a catalogue to sync comes from: a local file or an http(s) URL, .jsonl or .jsonl.gz.

A URL is downloaded whole to a temporary file before anything is read, with a timeout and a size
cap, so a server that fails half-way fails the sync before the database is touched. Whether the
bytes are gzip is told by their first two bytes, not by a name (a URL need not end in .gz).
"""

from __future__ import annotations

import gzip
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import httpx

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16


class SourceError(Exception):
    """The catalogue could not be read whole; nothing was changed."""


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def label(source: str) -> str:
    """The source as logged and recorded: a URL without credentials, query or fragment (a token
    may ride in them)."""
    if not is_url(source):
        return source
    parts = urlsplit(source)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@contextmanager
def local_copy(source: str, *, timeout: float, max_bytes: int) -> Iterator[Path]:
    """The catalogue as a local file: ``source`` itself, or the URL downloaded to a temporary
    file (removed afterwards). Raises ``SourceError``."""
    if not is_url(source):
        path = Path(source)
        if not path.is_file():
            raise SourceError(f"no such file: {source}")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="catalogue-") as directory:
        path = Path(directory) / "catalogue.jsonl"
        with path.open("wb") as target:
            _download(source, target, timeout=timeout, max_bytes=max_bytes)
        yield path


def _download(url: str, target: IO[bytes], *, timeout: float, max_bytes: int) -> None:
    where = label(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client, client.stream(
            "GET", url
        ) as response:
            if response.status_code != 200:
                raise SourceError(f"{where} answered HTTP {response.status_code}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise SourceError(f"{where} is {int(declared):,} bytes, over {max_bytes:,}")
            received = 0
            for chunk in response.iter_bytes(_CHUNK):
                received += len(chunk)
                if received > max_bytes:
                    raise SourceError(f"{where} is over {max_bytes:,} bytes")
                target.write(chunk)
    except httpx.HTTPError as exc:
        raise SourceError(f"{where} could not be downloaded: {type(exc).__name__}: {exc}") from exc


@contextmanager
def lines(path: Path, *, max_bytes: int) -> Iterator[Iterator[bytes]]:
    """The file's lines as bytes (each decoded on its own later, so one bad line fails alone),
    gunzipped when the file is gzip. A cut gzip stream, or more than ``max_bytes`` of text, raises
    ``SourceError`` while iterating."""
    with path.open("rb") as raw:
        gzipped = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if gzipped:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield _capped(unzipped, max_bytes, path.name)
        else:
            yield _capped(raw, max_bytes, path.name)


def _capped(stream: Iterable[bytes], max_bytes: int, name: str) -> Iterator[bytes]:
    read = 0
    try:
        for line in stream:
            read += len(line)
            if read > max_bytes:
                raise SourceError(f"{name} holds more than {max_bytes:,} bytes of text")
            yield line
    except (EOFError, OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise SourceError(f"{name} is not a whole catalogue: {exc}") from exc
