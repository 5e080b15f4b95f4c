"""Evidence files people attach (an appeal's proof, a 未诉先办 action's photos, a topic's progress report):
one rule for what is accepted, so every page and the API refuse the same files with the same words.

Files are kept in the default storage under a random name and served only through a view that asks the
owning record's permission (never a public media URL)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.utils.translation import gettext as _

from .exceptions import InvalidInput

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# By extension: documents, photos, recordings.
FILE_TYPES = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".txt",
    ".mp3",
    ".m4a",
    ".wav",
    ".mp4",
}


def check_files(files) -> list:
    """The uploads as a list, or InvalidInput saying which file is refused and why."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise InvalidInput(_("At most %(n)s files at once.") % {"n": MAX_FILES}, code="too_many_files")
    for upload in files:
        if PurePath(upload.name or "").suffix.lower() not in FILE_TYPES:
            raise InvalidInput(
                _("%(name)s: only documents, photos and recordings (%(types)s).")
                % {"name": upload.name, "types": " ".join(sorted(FILE_TYPES))},
                code="invalid_file_type",
            )
        if upload.size > MAX_FILE_BYTES:
            raise InvalidInput(_("%(name)s is larger than 10 MB.") % {"name": upload.name}, code="file_too_large")
    return files


def random_name(folder: str, filename: str) -> str:
    """Where an upload is stored: `folder`/a random name with the file's own suffix."""
    return f"{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


def described(upload) -> dict:
    """The columns an attachment row keeps of an upload: its name as the user knew it, type and size."""
    return {
        "name": (upload.name or "")[:255],
        "content_type": (getattr(upload, "content_type", "") or "")[:100],
        "size": upload.size,
    }


def file_response(attachment):
    """An attachment row's file as a download under the name the user gave it (Http404 if the file is
    gone). The caller has checked that the user may see the record it belongs to."""
    from django.http import FileResponse, Http404

    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
