"""Bounds on what one import may unpack and read (``IMPORT_MAX_ROWS``,
``IMPORT_MAX_UNPACKED_MB``), checked while the file streams, so a 1,000,000-row
CSV or a zip bomb is refused in seconds with bounded memory instead of growing
a worker until it is killed."""

from django.conf import settings

from .uploads import UploadRejected


def max_rows():
    return settings.IMPORT_MAX_ROWS


def max_unpacked_bytes():
    return settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024


def too_many_rows():
    limit = max_rows()
    return UploadRejected(
        f"文件的数据行超过 {limit} 行的上限，未写入任何数据。请分成每份不超过 {limit} 行的文件分批导入。"
        f" / The file has more than {limit} data rows; split it and import the parts one by one."
    )


def too_large_unpacked(size):
    limit = settings.IMPORT_MAX_UNPACKED_MB
    return UploadRejected(
        f"文件解压后约 {size / 1024 / 1024:.0f} MB，超过 {limit} MB 的上限"
        f"（可能含有大量空行或是异常压缩的文件），未写入任何数据。请删除多余的行列后另存再导入。"
        f" / The file unpacks to more than {limit} MB; nothing was written."
    )
