"""SMS through a pluggable gateway, with retries and a delivery log.

::

    from jobs import sms
    sms.send("13800000000", "验证码 123456，5 分钟内有效。", purpose="login_code",
             log_text="登录验证码（已隐去）")

The backend is ``SMS_BACKEND``: ``console`` (the default: the text is printed
on standard output, so the laptop demo shows it, a sign-in code included),
``file`` (one JSON line per text appended to ``SMS_FILE_PATH``), ``http`` (the
site's gateway, below), ``memory`` (the test suite: :data:`outbox`), or the
dotted path of a class whose ``send(mobile, text, reference)`` returns the
gateway's message id or raises :class:`SmsError`.

The HTTP gateway: ``POST SMS_HTTP_URL`` with JSON ``{"mobile", "content",
"sign_name", "reference"}``, the header ``Authorization: Bearer
SMS_HTTP_TOKEN`` when a token is set, ``SMS_HTTP_TIMEOUT_SECONDS``. Taken: a
2xx answer whose JSON ``code`` is ``0``, ``"0"`` or ``"OK"`` (or absent), with
the gateway's id in ``id`` or ``message_id``. Refused: another code, or a 4xx;
never retried. Busy: 429, 5xx or no answer; retried ``SMS_RETRIES`` times,
``SMS_RETRY_BACKOFF_SECONDS`` apart, doubling. The ``reference`` is the same on
every retry, so a gateway that keys on it sends a text once even when its
first answer was lost. A gateway with another contract gets a backend class.

Every call leaves one :class:`jobs.models.SmsLog` row: the mobile, the
purpose, the text (or ``log_text``, for a text not to be kept), the backend,
the outcome, the attempts and the gateway's id. The token is never logged.
"""

import datetime
import json
import logging
import re
import sys
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import SmsLog
from .transport import TransportError, post_json

logger = logging.getLogger(__name__)
#: the memory backend's texts, as :class:`Sent`, oldest first
outbox = []
MOBILE = re.compile(r"^1\d{10}$")


class SmsError(Exception):
    def __init__(self, message, *, retryable):
        super().__init__(message)
        self.retryable = retryable
        self.log = None  # the SmsLog row of the failed call


@dataclass(frozen=True)
class Sent:
    mobile: str
    text: str
    reference: str
    sign_name: str


@dataclass(frozen=True)
class SmsResult:
    log: SmsLog
    gateway_id: str
    attempts: int


class ConsoleBackend:
    """Prints each text: the laptop demo's gateway."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, mobile, text, reference):
        stream = self.stream or sys.stdout
        stream.write(f"[SMS {mobile}] 【{settings.SMS_SIGN_NAME}】{text}\n")
        stream.flush()
        return ""


class FileBackend:
    """Appends one JSON line per text to ``SMS_FILE_PATH``."""

    def send(self, mobile, text, reference):
        line = {
            "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "mobile": mobile,
            "text": text,
            "sign_name": settings.SMS_SIGN_NAME,
            "reference": reference,
        }
        with open(settings.SMS_FILE_PATH, "a", encoding="utf-8") as file:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")
        return ""


class MemoryBackend:
    """Keeps each text in :data:`outbox` (tests)."""

    def send(self, mobile, text, reference):
        outbox.append(Sent(mobile, text, reference, settings.SMS_SIGN_NAME))
        return f"memory-{len(outbox)}"


class HttpBackend:
    """The site's HTTP gateway (the contract is in the module's docstring)."""

    OK = {0, "0", "OK", "ok"}

    def send(self, mobile, text, reference):
        headers = {"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"} if settings.SMS_HTTP_TOKEN else {}
        payload = {
            "mobile": mobile,
            "content": text,
            "sign_name": settings.SMS_SIGN_NAME,
            "reference": reference,
        }
        try:
            answer = post_json(
                settings.SMS_HTTP_URL, payload, timeout=settings.SMS_HTTP_TIMEOUT_SECONDS, headers=headers
            )
        except TransportError as error:
            raise SmsError(
                _("无法连接短信网关：%(reason)s") % {"reason": error}, retryable=error.retryable
            ) from None
        if answer.status == 429 or answer.status >= 500:
            raise SmsError(
                _("短信网关暂时不可用（HTTP %(status)s）") % {"status": answer.status}, retryable=True
            )
        data = answer.data or {}
        code = data.get("code", 0)
        if not 200 <= answer.status < 300 or code not in self.OK:
            reason = str(data.get("message") or data.get("msg") or answer.text)[:200]
            raise SmsError(
                _("短信网关拒绝发送（HTTP %(status)s，代码 %(code)s）：%(reason)s")
                % {"status": answer.status, "code": code, "reason": reason},
                retryable=False,
            )
        return str(data.get("id") or data.get("message_id") or "")[:100]


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "http": HttpBackend, "memory": MemoryBackend}


def backend():
    name = settings.SMS_BACKEND
    return (BACKENDS.get(name) or import_string(name))()


def send(mobile, text, *, purpose, reference="", log_text=None, retries=None) -> SmsResult:
    """Send ``text`` to ``mobile``; retried while the gateway is busy. Returns
    the result with its log row; raises :class:`SmsError` (with ``.log``)
    once the gateway refused it or every attempt failed."""
    mobile = re.sub(r"[\s-]", "", str(mobile or ""))
    retries = settings.SMS_RETRIES if retries is None else retries
    gateway, attempts, error = backend(), 0, None
    if not MOBILE.match(mobile):
        error = SmsError(_("手机号“%(mobile)s”无效。") % {"mobile": mobile}, retryable=False)
    while error is None or (error.retryable and attempts <= retries):
        if attempts:
            time.sleep(settings.SMS_RETRY_BACKOFF_SECONDS * 2 ** (attempts - 1))
        attempts += 1
        try:
            gateway_id = gateway.send(mobile, text, reference) or ""
        except SmsError as failed:
            error = failed
        except Exception as failed:  # a site's own backend: kept as a retryable failure
            logger.warning("SMS backend %s failed: %s", settings.SMS_BACKEND, type(failed).__name__)
            error = SmsError(str(failed)[:500] or type(failed).__name__, retryable=True)
        else:
            log = _log(mobile, purpose, reference, log_text or text, SmsLog.Status.SENT, attempts, gateway_id)
            return SmsResult(log, gateway_id, attempts)
    error.log = _log(
        mobile, purpose, reference, log_text or text, SmsLog.Status.FAILED, attempts, "", str(error)
    )
    logger.warning("SMS to %s failed after %s attempt(s): %s", mobile, attempts, error)
    raise error


def _log(mobile, purpose, reference, text, status, attempts, gateway_id, error=""):
    name = settings.SMS_BACKEND
    return SmsLog.objects.create(
        mobile=mobile[:20],
        purpose=purpose[:30],
        reference=reference[:64],
        text=text,
        backend=name.rsplit(".", 1)[-1][:100],
        status=status,
        attempts=attempts,
        gateway_id=gateway_id[:100],
        error=error[:2000],
    )
