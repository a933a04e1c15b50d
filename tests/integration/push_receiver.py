"""A real push service on loopback, for tests and bench/push.py: an ASGI app under uvicorn in its own
thread. It checks what a real one checks and a little more, independently of the server's code:

- the VAPID token (RFC 8292) with PyJWT: ES256 signature against the served public key (`k=` must be it),
  audience = the endpoint's scheme://host:port, expiry within 24 h, a `mailto:`/`https:` subject;
- the body (RFC 8291) decrypted with the `http_ece` package and the subscription's private key (made
  here with `cryptography`: a P-256 key pair and 16 random auth bytes), at most 4096 bytes;
- TTL, Urgency and Topic headers well formed.

A message that fails a check is answered 400/403 and listed in `problems`. Each subscription answers 201
unless told otherwise: `respond(sub, 404)`, `respond(sub, (429, {"Retry-After": "2"}), 201)`…
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import http_ece
import jwt
import msgspec
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

MAX_BODY = 4096
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_URGENCY = {"very-low", "low", "normal", "high"}
_AUTHORIZATION = re.compile(r"^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class TestSubscription:
    """A browser's side of a subscription: its endpoint and keys, and the private key to read messages."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def to_json(self) -> dict[str, Any]:
        """What the browser's `PushSubscription.toJSON()` gives."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)}}


def new_subscription(endpoint: str, sub_id: str = "") -> TestSubscription:
    """A subscription's keys as a browser makes them: a P-256 key pair and 16 random auth bytes."""
    return TestSubscription(sub_id, endpoint, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))


@dataclass
class Received:
    """One request the push service got, and what it answered."""

    subscription: str
    status: int
    headers: dict[str, str]
    payload: bytes | None = None
    """The decrypted body (None if it could not be read)."""
    claims: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)

    @property
    def message(self) -> dict[str, Any]:
        return msgspec.json.decode(self.payload)


class PushReceiver:
    """The local push service. `vapid_public_key` is the server's (GET /api/push/key); `subject` the one
    the server is configured with, if the test wants it checked."""

    def __init__(self, vapid_public_key: str | None = None, subject: str | None = None, verify: bool = True):
        self.vapid_public_key = vapid_public_key
        self.subject = subject
        self.verify = verify
        self.subscriptions: dict[str, TestSubscription] = {}
        self.received: list[Received] = []
        self.problems: list[str] = []
        self._scripts: dict[str, deque] = defaultdict(deque)
        self._verified_tokens: dict[str, dict[str, Any]] = {}
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(
            self._app, interface="asgi3", log_level="warning", lifespan="off", access_log=False, server_header=False,
            timeout_keep_alive=30, backlog=2048,
        ))
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- life cycle -----------------------------------------------------------------------------------

    def start(self) -> PushReceiver:
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the push receiver did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._socket.close()

    def __enter__(self) -> PushReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests use -------------------------------------------------------------------------------

    def subscribe(self, name: str | None = None) -> TestSubscription:
        """A new subscription, as a browser would make with this push service."""
        sub_id = name or b64(os.urandom(12))
        subscription = new_subscription(f"{self.origin}/push/{sub_id}", sub_id)
        self.subscriptions[sub_id] = subscription
        return subscription

    def respond(self, subscription: TestSubscription, *answers: int | tuple[int, dict[str, str]]) -> None:
        """The next answers to messages for `subscription`, in order; 201 once they are used up."""
        for answer in answers:
            self._scripts[subscription.id].append(answer if isinstance(answer, tuple) else (answer, {}))

    def messages(self, subscription: TestSubscription | None = None, status: int | None = 201) -> list[Received]:
        return [r for r in self.received
                if (subscription is None or r.subscription == subscription.id) and (status is None or r.status == status)]

    async def wait_for(self, count: int, timeout: float = 10, status: int | None = 201) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.messages(status=status)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages(status=status))} messages received, {count} expected")
            await asyncio.sleep(0.01)
        return self.messages(status=status)

    def stats(self) -> dict[str, int]:
        accepted: dict[str, int] = defaultdict(int)
        for r in self.received:
            if r.status == 201:
                accepted[r.subscription] += 1
        return {"received": len(self.received), "accepted": sum(accepted.values()),
                "twice": sum(count > 1 for count in accepted.values()), "problems": len(self.problems)}

    # --- the push service -----------------------------------------------------------------------------

    async def _app(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        status, extra = self._handle(scope["method"], scope["path"], headers, body)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode(), v.encode()) for k, v in extra.items()]})
        await send({"type": "http.response.body", "body": b""})

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        if method == "GET" and path == "/stats":
            return 200, {"x-stats": msgspec.json.encode(self.stats()).decode()}
        match = re.fullmatch(r"/push/([A-Za-z0-9_-]+)", path)
        subscription = self.subscriptions.get(match.group(1)) if match else None
        if method != "POST" or subscription is None:
            self.received.append(Received(match.group(1) if match else path, 404, headers))
            return 404, {}
        record = Received(subscription.id, 0, headers)
        self.received.append(record)
        if self.verify:
            problem, claims, payload = self._check(subscription, headers, body)
            record.claims, record.payload = claims, payload
            if problem:
                self.problems.append(f"{subscription.id}: {problem}")
                record.status = 403 if "token" in problem or "key" in problem else 400
                return record.status, {}
        script = self._scripts[subscription.id]
        status, extra = script.popleft() if script else (201, {})
        record.status = status
        if status == 201:
            extra = {"Location": f"{self.origin}/message/{b64(os.urandom(9))}", **extra}
        return status, extra

    def _check(self, subscription: TestSubscription, headers: dict[str, str], body: bytes):
        """(problem or None, JWT claims, decrypted payload)."""
        claims: dict[str, Any] = {}
        ttl = headers.get("ttl")
        if ttl is None or not ttl.isdigit():
            return f"TTL header missing or not a number: {ttl!r}", claims, None
        if "urgency" in headers and headers["urgency"] not in _URGENCY:
            return f"bad Urgency {headers['urgency']!r}", claims, None
        if "topic" in headers and not _TOPIC.match(headers["topic"]):
            return f"bad Topic {headers['topic']!r}", claims, None
        if headers.get("content-encoding") != "aes128gcm":
            return f"Content-Encoding {headers.get('content-encoding')!r}, expected aes128gcm", claims, None
        if len(body) > MAX_BODY:
            return f"body of {len(body)} bytes, more than {MAX_BODY}", claims, None
        found = _AUTHORIZATION.match(headers.get("authorization", ""))
        if not found:
            return f"Authorization is not `vapid t=…, k=…`: {headers.get('authorization')!r}", claims, None
        token, key = found.groups()
        if self.vapid_public_key is not None and key != self.vapid_public_key:
            return "the k= public key is not the server's served key", claims, None
        try:
            claims = self._verify_token(token, key, subscription.endpoint)
        except jwt.PyJWTError as exc:
            return f"VAPID token refused: {type(exc).__name__}: {exc}", claims, None
        if claims["exp"] - time.time() > 24 * 3600:
            return "VAPID token expires more than 24 h from now", claims, None
        sub = claims.get("sub", "")
        if not (sub.startswith("mailto:") or sub.startswith("https:")):
            return f"VAPID token subject {sub!r} is neither mailto: nor https:", claims, None
        if self.subject is not None and sub != self.subject:
            return f"VAPID token subject {sub!r}, expected {self.subject!r}", claims, None
        try:
            payload = http_ece.decrypt(body, private_key=subscription.private_key, auth_secret=subscription.auth,
                                       version="aes128gcm")
        except Exception as exc:  # noqa: BLE001 - any failure to decrypt is the finding
            return f"body cannot be decrypted: {type(exc).__name__}: {exc}", claims, None
        return None, claims, payload

    def _verify_token(self, token: str, key: str, endpoint: str) -> dict[str, Any]:
        origin = endpoint.split("/push/")[0]
        cached = self._verified_tokens.get(token)
        if cached is not None and cached["aud"] == origin:
            if cached["exp"] < time.time():
                raise jwt.ExpiredSignatureError("Signature has expired")
            return cached
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
        claims = jwt.decode(token, public, algorithms=["ES256"], audience=origin,
                            options={"require": ["aud", "exp", "sub"]})
        self._verified_tokens[token] = claims
        return claims


def main() -> None:
    """`python -m tests.integration.push_receiver --subscriptions N --out FILE [--vapid-public-key K]`: run the
    push service in its own process (bench/push.py), write N subscriptions (with their endpoints) to FILE,
    answer `GET /stats` (in an `x-stats` header), and stop when stdin closes."""
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--vapid-public-key")
    parser.add_argument("--subject")
    args = parser.parse_args()
    with PushReceiver(args.vapid_public_key, args.subject) as receiver:
        made = [receiver.subscribe(f"s{n}").to_json() for n in range(args.subscriptions)]
        with open(args.out + ".tmp", "w") as out:
            json.dump({"origin": receiver.origin, "subscriptions": made}, out)
        os.replace(args.out + ".tmp", args.out)
        sys.stdin.read()
        print(json.dumps(receiver.stats()), file=sys.stderr)
        for problem in receiver.problems[:5]:
            print(problem, file=sys.stderr)


if __name__ == "__main__":
    main()
