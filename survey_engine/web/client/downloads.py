"""Files sent to the client's browser: the results package writes an export or a report into
a scratch folder of its own (the exporters stream the interviews into it, memory flat, except
SPSS's, see docs/results.md), and the file is sent from there in chunks, never held in memory;
an export of several files (CSV and its codebook, Triple-S and its data) is sent as one ZIP
archive built as it is sent. The scratch folder is removed once the response is done, or
when the export fails."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Response, send_file
from werkzeug.datastructures import Headers

CHUNK = 64 * 1024
#: Media types by suffix; anything else is sent as bytes.
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".jsonl": "application/x-ndjson",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".sav": "application/x-spss-sav",
    ".html": "text/html; charset=utf-8",
    ".pot": "text/x-gettext-translation; charset=utf-8",
    ".zip": "application/zip",
}


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A folder for one response's files, removed if the block fails (see
    :func:`send_files` for when it succeeds)."""
    folder = Path(tempfile.mkdtemp(prefix="survey-download-"))
    try:
        yield folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def send_files(files: list[Path], name: str, folder: Path) -> Response:
    """Send ``files`` (written in ``folder``) as a download called ``name``: one file as it
    is, several as a ZIP archive of them; ``folder`` is removed when the response closes."""
    def clean() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    if len(files) == 1:
        response = send_path(files[0], name)
    else:
        headers = Headers()
        headers.set("Content-Disposition", "attachment", filename=name)
        response = Response(_zipped(files), mimetype=MEDIA_TYPES[".zip"], headers=headers,
                            direct_passthrough=True)
        response.headers["Cache-Control"] = "no-store"
    response.call_on_close(clean)
    return response


def send_path(path: Path, name: str) -> Response:
    """The file at ``path`` as a download called ``name``, sent in chunks, kept by no cache
    (results and reject reports hold what respondents said and contact data)."""
    response = send_file(path, mimetype=_media_type(name), as_attachment=True,
                         download_name=name, conditional=False, etag=False)
    response.headers["Cache-Control"] = "no-store"
    return response


def send_text(text: str, name: str) -> Response:
    """A small text made in memory (the rates table), as a download called ``name``."""
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=name)
    headers.set("Cache-Control", "no-store")
    return Response(text, mimetype=_media_type(name), headers=headers)


def _media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


class _Pending(io.RawIOBase):
    """Where the ZIP writer puts its bytes until the response takes them."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken, self.parts = b"".join(self.parts), []
        return taken


def _zipped(files: list[Path]) -> Iterator[bytes]:
    """A ZIP archive of ``files``, chunk by chunk (the writer needs no seeking: sizes go in
    data descriptors after each member)."""
    pending = _Pending()
    with zipfile.ZipFile(pending, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            with archive.open(path.name, "w", force_zip64=True) as member, \
                    path.open("rb") as source:
                for chunk in _chunks(source.read):
                    member.write(chunk)
                    yield pending.take()
            yield pending.take()
    yield pending.take()


def _chunks(read: Callable[[int], bytes]) -> Iterator[bytes]:
    while chunk := read(CHUNK):
        yield chunk
