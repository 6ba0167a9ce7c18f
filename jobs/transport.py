"""JSON over HTTP POST for the transports (standard library only).

Errors never carry the address: a robot's webhook holds its access token, an
SMS gateway's URL may hold a key, so neither may reach a log or the reminder
log's error column. Proxies are not taken from the process environment
(``http_proxy``): a site that needs one names it in ``MESSAGING_PROXY``, and
the test suite's loopback receivers are always reached directly."""

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings


class TransportError(Exception):
    """The service could not be reached, or its answer could not be read."""

    def __init__(self, message, *, retryable=True, status=None):
        super().__init__(message)
        self.retryable, self.status = retryable, status


@dataclass(frozen=True)
class Answer:
    status: int
    data: dict | None  # the JSON object answered, if it was one
    text: str


def _opener():
    proxy = settings.MESSAGING_PROXY
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {})
    )


def _read(status, raw) -> Answer:
    text = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    return Answer(status, data if isinstance(data, dict) else None, text[:500])


def post_json(url, payload, *, timeout, headers=None) -> Answer:
    """POST ``payload`` as JSON; the answer, whatever its HTTP status.

    Raises :class:`TransportError` when nothing came back (refused, reset,
    timed out, not HTTP)."""
    try:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )
    except ValueError:  # urllib's message would name the address
        raise TransportError("not an http(s) address", retryable=False) from None
    try:
        with _opener().open(request, timeout=timeout) as response:
            return _read(response.status, response.read())
    except urllib.error.HTTPError as error:  # an answer all the same: 4xx, 5xx
        with error:
            return _read(error.code, error.read())
    except urllib.error.URLError as error:
        raise TransportError(_reason(error.reason)) from None
    except TimeoutError:
        raise TransportError("timed out") from None
    except (ConnectionError, http.client.HTTPException, OSError) as error:
        raise TransportError(_reason(error)) from None


def _reason(error) -> str:
    """What went wrong, without the address (``[Errno 111] Connection refused``)."""
    if isinstance(error, OSError) and error.strerror:
        return f"[Errno {error.errno}] {error.strerror}"
    return (str(error) or type(error).__name__)[:200]
