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


IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".webp"}
IMAGE_MAX_SIDE = 2000  # pixels: a phone's 12-megapixel photo becomes ~0.5 MB, still sharp on any screen


IMAGE_MAX_PIXELS = 40_000_000  # a 40-megapixel photo at most: larger ones are refused before they are decoded


def prepared(upload):
    """A photo checked and made fit to keep: it must really be an image (its bytes, not its name) of at most
    IMAGE_MAX_PIXELS (a small file can hold a huge image: it is refused before it is decoded), it is turned
    upright, shrunk to IMAGE_MAX_SIDE on its longer side and saved again without its metadata (a phone's
    photo carries where it was taken), as the format its name says. Other files are returned as they are."""
    import warnings
    from io import BytesIO

    from django.core.files.uploadedfile import InMemoryUploadedFile
    from PIL import Image, ImageOps, UnidentifiedImageError

    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in IMAGE_TYPES:
        return upload
    fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}[suffix]
    not_a_photo = InvalidInput(
        _("%(name)s is not a photo that can be opened.") % {"name": upload.name}, code="invalid_image"
    )
    out = BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                width, height = probe.size
                probe.verify()
            if width * height > IMAGE_MAX_PIXELS:
                raise InvalidInput(
                    _("%(name)s has too many pixels (%(w)s × %(h)s).") % {"name": upload.name, "w": width, "h": height},
                    code="image_too_large",
                )
            upload.seek(0)
            image = ImageOps.exif_transpose(Image.open(upload))
            image.load()
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            # Whatever the file held (CMYK, 16-bit, floating point…), a mode its format can store.
            if image.mode not in ("RGB", "RGBA", "L", "P") or (
                fmt == "JPEG" and image.mode != "RGB" and image.mode != "L"
            ):
                image = image.convert("RGBA" if fmt != "JPEG" and "A" in image.getbands() else "RGB")
            image.save(out, format=fmt, **({"quality": 85, "optimize": True} if fmt == "JPEG" else {}))
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise not_a_photo from None
    size = out.tell()
    out.seek(0)
    return InMemoryUploadedFile(out, "file", upload.name, f"image/{fmt.lower()}", size, None)


THUMB_SIDE = 240  # pixels: a thumbnail on an order's page (the photo itself opens on a click)


def is_image(name: str) -> bool:
    return PurePath(name or "").suffix.lower() in IMAGE_TYPES


def thumbnail_response(attachment, side: int = THUMB_SIDE):
    """A small JPEG of a kept photo, made when asked (the photos were shrunk and checked when they came, so
    this is quick: JPEGs are decoded at a reduced scale). Http404 when the file is not a photo or is gone.
    The caller has checked that the user may see the record it belongs to."""
    from io import BytesIO

    from django.http import Http404, HttpResponse
    from PIL import Image, UnidentifiedImageError

    if not is_image(attachment.name):
        raise Http404
    try:
        with attachment.file.open("rb") as handle, Image.open(handle) as image:
            image.draft("RGB", (side, side))
            image.thumbnail((side, side))
            out = BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (FileNotFoundError, OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        raise Http404 from None
    return HttpResponse(out.getvalue(), content_type="image/jpeg")
