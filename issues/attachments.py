"""The files an enterprise may send with a request (issue 17): JPEG, PNG or
PDF, recognised by their first bytes (not by name or the browser's word),
each at most ``PORTAL_UPLOAD_MAX_MB``, at most :data:`MAX_FILES`."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

MAX_FILES = 3
MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


@dataclass(frozen=True)
class Checked:
    upload: object  # the UploadedFile
    name: str
    content_type: str
    size: int


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def check(files) -> list[Checked]:
    """The files, checked; a :class:`ValidationError` in Chinese naming the
    first that is refused (nothing is written by this)."""
    files = [f for f in files if f]
    if len(files) > MAX_FILES:
        raise ValidationError(_("最多上传 %(count)s 个文件。") % {"count": MAX_FILES}, code="too_many")
    limit = settings.PORTAL_UPLOAD_MAX_MB * 1024 * 1024
    checked = []
    for upload in files:
        name = (upload.name or "").rsplit("/", 1)[-1][:200]
        if upload.size > limit:
            raise ValidationError(
                _("文件“%(name)s”超过 %(mb)s MB。") % {"name": name, "mb": settings.PORTAL_UPLOAD_MAX_MB},
                code="too_big",
            )
        upload.seek(0)
        kind = sniff(upload.read(16))
        upload.seek(0)
        if kind is None:
            raise ValidationError(
                _("文件“%(name)s”不是 JPEG、PNG 图片或 PDF 文件。") % {"name": name}, code="file_type"
            )
        checked.append(Checked(upload, name, kind, upload.size))
    return checked


def serve(attachment):
    """A stored attachment as a download of its checked type, for a view that
    checked who asks (``issues:attachment``, ``portal:attachment``)."""
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
