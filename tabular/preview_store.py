"""The rows a preview validated, kept for its confirm.

The admin's import is two requests: the preview reads and checks the upload,
the confirm writes it. The confirm used to read the file again and check
every row again (half its time). Instead the preview writes the rows it
validated, as compact tuples, beside the stored upload; the confirm reads
them back a batch at a time and writes them
(:meth:`tabular.bulk_import.AllOrNothingResource.import_stored`).

A stored preview is ``MAGIC``, an HMAC-SHA256 of the rest keyed by
``SECRET_KEY``, then frames (a 4-byte length and a zlib-compressed pickle):
a header (whose upload, user, resource and settings it belongs to, the totals,
the foreign keys used), then batches of rows. Nothing is unpickled before the
HMAC is verified, so a file altered on disk is refused, never loaded.
"""

import hashlib
import hmac
import logging
import pickle
import struct
import zlib

from django.utils.crypto import salted_hmac

MAGIC = b"tabular-preview-1\n"
_SALT = "tabular.preview_store"
_DIGEST = 32
_LENGTH = struct.Struct(">I")
logger = logging.getLogger(__name__)

ALTERED = (
    "保存的预览结果已损坏或被改动，未写入任何数据。请重新上传文件，预览后再确认。"
    " / The stored preview was altered; nothing was written. Upload the file again."
)
NOT_THIS_UPLOAD = (
    "保存的预览结果与这次确认不符（文件、导入人或导入设置已不同），未写入任何数据。"
    "请重新上传文件，预览后再确认。"
    " / The stored preview belongs to another upload, user or setting; nothing was written."
)


class PreviewRefused(ValueError):
    """The stored preview cannot be confirmed; the message is for the user."""


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _signature(body) -> bytes:
    return salted_hmac(_SALT, bytes(body), algorithm="sha256").digest()


def _frame(obj) -> bytes:
    data = zlib.compress(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), 1)
    return _LENGTH.pack(len(data)) + data


class PreviewWriter:
    """Rows added one by one, compressed a batch at a time (so only the
    compressed bytes of the whole file are held); :meth:`finish` signs them."""

    def __init__(self, batch_size):
        self.batch_size = batch_size
        self._frames, self._batch = [], []

    def add(self, row):
        self._batch.append(row)
        if len(self._batch) >= self.batch_size:
            self._flush()

    def _flush(self):
        if self._batch:
            self._frames.append(_frame(self._batch))
            self._batch = []

    def finish(self, header) -> bytes:
        self._flush()
        body = b"".join([_frame(header), *self._frames])
        self._frames = []
        return MAGIC + _signature(body) + body


class StoredPreview:
    """A stored preview read back: ``header``, then :meth:`batches`.
    Raises :class:`PreviewRefused` if the bytes are not what was signed."""

    def __init__(self, blob: bytes):
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _DIGEST:
            raise PreviewRefused(ALTERED)
        signature = blob[len(MAGIC) : len(MAGIC) + _DIGEST]
        self._body = memoryview(blob)[len(MAGIC) + _DIGEST :]
        if not hmac.compare_digest(signature, _signature(self._body)):
            raise PreviewRefused(ALTERED)
        self.header = next(self._frames())

    def _frames(self):
        body, at = self._body, 0
        while at < len(body):
            (size,) = _LENGTH.unpack_from(body, at)
            at += _LENGTH.size
            # Signed above: only bytes this server wrote are unpickled.
            yield pickle.loads(zlib.decompress(body[at : at + size]))
            at += size

    def batches(self):
        frames = self._frames()
        next(frames)
        yield from frames


class PreviewTarget:
    """Where a preview keeps its rows: an object of the admin's temporary
    storage (``save``, ``read``, ``remove``), beside the stored ``upload``
    they are read from (whose checksum the stored preview carries)."""

    def __init__(self, storage, upload):
        self.storage, self.upload = storage, upload

    @property
    def upload_checksum(self):
        return checksum(self.upload.read())

    def save(self, blob):
        """Kept if the storage can; if not, the confirm reads and checks the
        file again, as without a stored preview."""
        try:
            self.storage.save(blob)
        except (OSError, TypeError, ValueError):
            logger.warning("The preview's rows could not be stored; the confirm will check the file again.")
