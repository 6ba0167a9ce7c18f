"""HTTP receivers on loopback that answer like the services the channels
post to: a DingTalk custom robot, a WeCom group robot and an SMS gateway.
Each is an ``http.server`` in a thread of the test's own process, on
127.0.0.1 and a port of its own, recording every request; nothing reaches
the network. ``stop()`` and ``start()`` again (same port) make a receiver
that is down and comes back.

They answer as the services do (README, "Channels"):

- DingTalk checks the ``access_token`` (``300001`` otherwise), the 加签
  signature over ``timestamp + "\\n" + secret`` with a timestamp less than an
  hour off (``310000 sign not match`` otherwise), the message's shape
  (``text.content``; ``markdown.title`` and ``markdown.text``), and its rate:
  over ``per_minute`` in the last minute the answer is ``130101 send too
  fast``.
- WeCom checks the ``key`` (``93000``), the shape and length (``text.content``
  ≤ 2048 bytes, ``markdown.content`` ≤ 4096) and the rate (``45009``).
- The SMS gateway checks the bearer token (HTTP 401) and answers
  ``{"code": 0, "id": …}``.

``script`` is a list of answers ``(status, body)`` given first, in order,
whatever the request (a 500, a busy answer)."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    path: str
    query: dict
    headers: dict
    body: dict | None
    raw: bytes
    at: float
    answer: dict = field(default_factory=dict)


class Receiver:
    path = "/"

    def __init__(self, port=0):
        self.port = port
        self.requests, self.accepted, self.script = [], [], []
        self.lock = threading.Lock()
        self.server = None

    # -- the server --

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parsed = urllib.parse.urlsplit(self.path)
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = None
                request = Request(
                    parsed.path,
                    {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    raw,
                    time.time(),
                )
                with receiver.lock:
                    receiver.requests.append(request)
                    status, answer = receiver.script.pop(0) if receiver.script else receiver.handle(request)
                    request.answer = answer
                    if status == 200 and answer.get("errcode", answer.get("code")) == 0:
                        receiver.accepted.append(request)
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def url(self, query=""):
        return f"http://127.0.0.1:{self.port}{self.path}" + (f"?{query}" if query else "")

    def handle(self, request):
        raise NotImplementedError

    def _over_rate(self, key, per_minute, now):
        recent = [r for r in self.accepted if r.at > now - 60 and self.key_of(r) == key]
        return len(recent) >= per_minute

    def key_of(self, request):
        return ""


class _RobotReceiver(Receiver):
    """A group-robot webhook: each robot is named by the query parameter
    ``key_param`` of its URL."""

    key_param = ""

    def webhook_for(self, key):
        return self.url(f"{self.key_param}={key}")

    def key_of(self, request):
        return request.query.get(self.key_param)


class DingTalkReceiver(_RobotReceiver):
    """One robot (``token``, ``secret``), or more added with :meth:`add`,
    each with its own rate."""

    path = "/robot/send"
    key_param = "access_token"

    def __init__(self, token="dt-token-0001", secret="SECdingtalk-signing-secret", per_minute=20, port=0):
        super().__init__(port)
        self.token, self.secret, self.per_minute = token, secret, per_minute
        self.robots = {token: secret}

    def add(self, token, secret):
        """Another robot; its webhook."""
        self.robots[token] = secret
        return self.webhook_for(token)

    @property
    def webhook(self):
        return self.webhook_for(self.token)

    def expected_sign(self, timestamp, secret=None):
        secret = self.secret if secret is None else secret
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def handle(self, request):
        token = self.key_of(request)
        if request.path != self.path:
            return 404, {"errcode": 404, "errmsg": "not found"}
        if token not in self.robots:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        secret = self.robots[token]
        if secret:
            timestamp, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            fresh = timestamp.isdigit() and abs(int(timestamp) - request.at * 1000) < 3600 * 1000
            if not fresh or not hmac.compare_digest(sign, self.expected_sign(timestamp, secret)):
                return 200, {
                    "errcode": 310000,
                    "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com]",
                }
        body = request.body or {}
        kind = body.get("msgtype")
        shaped = (kind == "text" and (body.get("text") or {}).get("content")) or (
            kind == "markdown" and (body.get("markdown") or {}).get("title") and body["markdown"].get("text")
        )
        if not shaped:
            return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}
        if self._over_rate(token, self.per_minute, request.at):
            return 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
        return 200, {"errcode": 0, "errmsg": "ok"}


class WeComReceiver(_RobotReceiver):
    """One robot (``key``), or more added with :meth:`add`, each with its own rate."""

    path = "/cgi-bin/webhook/send"
    key_param = "key"
    LIMITS = {"text": 2048, "markdown": 4096}

    def __init__(self, key="wc-key-0001", per_minute=20, port=0):
        super().__init__(port)
        self.key, self.per_minute = key, per_minute
        self.keys = {key}

    def add(self, key):
        self.keys.add(key)
        return self.webhook_for(key)

    @property
    def webhook(self):
        return self.webhook_for(self.key)

    def handle(self, request):
        key = self.key_of(request)
        if request.path != self.path or key not in self.keys:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        body = request.body or {}
        kind = body.get("msgtype")
        content = (body.get(kind) or {}).get("content") if kind in self.LIMITS else None
        if not content:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if len(content.encode("utf-8")) > self.LIMITS[kind]:
            return 200, {"errcode": 40058, "errmsg": f"{kind}.content exceed max length {self.LIMITS[kind]}"}
        if self._over_rate(key, self.per_minute, request.at):
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        return 200, {"errcode": 0, "errmsg": "ok"}


class SmsGatewayReceiver(Receiver):
    path = "/sms/send"

    def __init__(self, token="sms-gateway-token", port=0):
        super().__init__(port)
        self.token = token

    def handle(self, request):
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"code": 401, "message": "unauthorized"}
        body = request.body or {}
        if not str(body.get("mobile", "")).isdigit() or not body.get("content"):
            return 400, {"code": 400, "message": "bad request"}
        return 200, {"code": 0, "id": f"sms-{len(self.accepted) + 1}"}
