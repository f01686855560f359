"""Uploaded documents: checked by size and by content, stored under a random name outside static.

The type is read from the first bytes (magic numbers), never from the file's name or the browser's
claim: %PDF- (PDF), \\x89PNG\\r\\n\\x1a\\n (PNG), \\xff\\xd8\\xff (JPEG). Files are served only by
portal views, after an access check, as attachments (never rendered inline, never executed).
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a brochure in PDF, a photograph
MAGIC = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]


def upload_root() -> Path:
    return Path(settings.UPLOAD_ROOT)


def sniff(head: bytes) -> str | None:
    """The content type that the first bytes prove, or None."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def check(upload) -> str:
    """The content type of an accepted upload; a clear French error otherwise."""
    if upload.size == 0:
        raise ValidationError(_("Le fichier est vide."))
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("Le fichier dépasse %(max)s Mo : réduisez-le avant de l'envoyer.") % {"max": MAX_BYTES // 2**20}
        )
    upload.seek(0)
    kind = sniff(upload.read(8))
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            _("Type de fichier refusé : seuls les PDF, PNG et JPEG sont acceptés (contenu vérifié).")
        )
    return kind


def store(upload) -> str:
    """Writes the upload under a new random name and returns that name (no part of the original)."""
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    with open(root / name, "xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return name


def remove(stored_name: str) -> None:
    (upload_root() / stored_name).unlink(missing_ok=True)


def serve(attachment) -> FileResponse:
    """The document as a download with its staff-chosen name; 404 if the file is missing."""
    path = upload_root() / attachment.stored_name
    if not attachment.stored_name.isalnum() or not path.is_file():
        raise Http404
    filename = f"{slugify(attachment.display_name) or 'document'}.{attachment.extension}"
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 — FileResponse closes it
        as_attachment=True,
        filename=filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
