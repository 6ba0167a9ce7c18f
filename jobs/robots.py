"""Group robots: the DingTalk custom robot (自定义机器人, with its 加签 signature)
and the WeCom group robot (群机器人). For each: the message body (``text`` or
``markdown``), the post, and the reading of its answer.

Both answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}`` when the message
is taken, and another ``errcode`` when it is not. :class:`RobotError` says
whether trying again can help: a rate-limit answer (DingTalk ``130101``,
WeCom ``45009``) after a wait, a server or network fault soon; a wrong
signature, keyword or token (DingTalk ``310000``, ``300001``; WeCom ``93000``)
never, so the caller moves on to its next channel.

DingTalk's 加签: ``sign = urlencode(base64(HMAC-SHA256(key=secret,
msg=timestamp + "\\n" + secret)))``, with ``timestamp`` (milliseconds) and
``sign`` added to the webhook's query; DingTalk refuses a timestamp more than
an hour off. Each robot takes about 20 messages a minute; over that DingTalk
throttles it for 10 minutes."""

import base64
import hashlib
import hmac
import time
import urllib.parse

from django.utils.translation import gettext as _

from .transport import TransportError, post_json

TEXT, MARKDOWN = "text", "markdown"
#: the longest content each robot takes, in bytes of UTF-8
MAX_BYTES = {
    ("dingtalk", TEXT): 18000,
    ("dingtalk", MARKDOWN): 18000,
    ("wecom", TEXT): 2048,
    ("wecom", MARKDOWN): 4096,
}

DINGTALK_RATE_LIMITED = {130101: 600, 410100: 600}  # code → seconds to wait (throttled for 10 minutes)
WECOM_RATE_LIMITED = {45009: 60}
#: answers for which a retry may help soon (the service is busy)
BUSY = {-1}


class RobotError(Exception):
    def __init__(self, message, *, code=None, retryable, retry_after=None):
        super().__init__(message)
        self.code, self.retryable, self.retry_after = code, retryable, retry_after


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The 加签 ``sign`` parameter, already URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(webhook: str, secret: str = "", timestamp_ms: int | None = None) -> str:
    """The webhook with ``timestamp`` and ``sign`` in its query (when signed)."""
    if not secret:
        return webhook
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    joiner = "&" if "?" in webhook else "?"
    return f"{webhook}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def dingtalk_payload(form: str, title: str, content: str) -> dict:
    if form == MARKDOWN:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}
    return {"msgtype": "text", "text": {"content": content}}


def wecom_payload(form: str, content: str) -> dict:
    kind = MARKDOWN if form == MARKDOWN else TEXT
    return {"msgtype": kind, kind: {"content": content}}


def _hint(service, code):
    hints = {
        ("dingtalk", 310000): _(
            "签名不匹配、消息不含安全关键词或 IP 不在白名单：请核对加签密钥和机器人的安全设置"
        ),
        ("dingtalk", 300001): _("access_token 无效：机器人可能已被移除，请重新复制 Webhook 地址"),
        ("dingtalk", 130101): _("发送过快（每个机器人每分钟最多 20 条），已被限流"),
        ("dingtalk", 410100): _("发送过快，已被限流"),
        ("wecom", 93000): _("Webhook 地址无效：机器人可能已被移除，请重新复制"),
        ("wecom", 45009): _("发送过快（每个机器人每分钟最多 20 条），已被限流"),
    }
    return hints.get((service, code), "")


def _check(service, answer, rate_limited):
    name = _("钉钉") if service == "dingtalk" else _("企业微信")
    if answer.status >= 500 or answer.status == 429:
        raise RobotError(
            _("%(service)s服务暂时不可用（HTTP %(status)s）") % {"service": name, "status": answer.status},
            retryable=True,
        )
    if answer.data is None or "errcode" not in answer.data:
        raise RobotError(
            _("%(service)s的回应无法识别（HTTP %(status)s）") % {"service": name, "status": answer.status},
            retryable=answer.status >= 500,
        )
    code = answer.data.get("errcode")
    if code == 0:
        return f"{service}:{answer.data.get('errmsg', 'ok')}"
    hint = _hint(service, code)
    message = _("%(service)s返回错误 %(code)s：%(errmsg)s") % {
        "service": name,
        "code": code,
        "errmsg": str(answer.data.get("errmsg", ""))[:200],
    } + (f"（{hint}）" if hint else "")
    if code in rate_limited:
        raise RobotError(message, code=code, retryable=True, retry_after=rate_limited[code])
    raise RobotError(message, code=code, retryable=code in BUSY)


def _post(url, payload, timeout):
    try:
        return post_json(url, payload, timeout=timeout)
    except TransportError as error:
        raise RobotError(_("无法连接：%(reason)s") % {"reason": error}, retryable=error.retryable) from None


def send_dingtalk(webhook: str, secret: str, payload: dict, *, timeout: float) -> str:
    """Post to a DingTalk custom robot, signed when it has a secret; the receipt."""
    return _check("dingtalk", _post(dingtalk_url(webhook, secret), payload, timeout), DINGTALK_RATE_LIMITED)


def send_wecom(webhook: str, payload: dict, *, timeout: float) -> str:
    """Post to a WeCom group robot; the receipt."""
    return _check("wecom", _post(webhook, payload, timeout), WECOM_RATE_LIMITED)
