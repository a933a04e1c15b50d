"""The server's VAPID key pair (RFC 8292): made on first start and kept in the data folder (mode 0600),
or given in configuration. Browsers subscribe with its public key; every push request is signed with it.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

log = logging.getLogger("merci.push")

KEY_FILE = "vapid_private_key.pem"


class VapidKeyError(ValueError):
    """A configured or stored key that cannot be used."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """base64url without padding, strictly: anything outside its alphabet is an error."""
    if not isinstance(text, str) or not text or any(c not in _ALPHABET for c in text.rstrip("=")):
        raise ValueError("not base64url")
    text = text.rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class VapidKeys:
    private_key: ec.EllipticCurvePrivateKey
    public_key: str = field(init=False)
    """The public key as browsers take it for `applicationServerKey`: the uncompressed P-256 point,
    base64url without padding."""

    def __post_init__(self) -> None:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        object.__setattr__(self, "public_key", b64url(point))

    @classmethod
    def generate(cls) -> VapidKeys:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def parse(cls, text: str) -> VapidKeys:
        """A private key as PEM (PKCS#8 or SEC 1) or as the raw 32-byte scalar in base64url (what web-push
        tools print)."""
        text = text.strip()
        try:
            if text.startswith("-----BEGIN"):
                key = serialization.load_pem_private_key(text.encode(), password=None)
            else:
                raw = unb64url(text)
                if len(raw) != 32:
                    raise ValueError(f"{len(raw)} bytes, expected 32")
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        except (ValueError, TypeError) as exc:
            raise VapidKeyError(f"not a P-256 private key (PEM or base64url): {exc}") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
            raise VapidKeyError("the VAPID key must be an EC key on P-256 (prime256v1)")
        return cls(key)

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def load_or_create(data: Path, configured: str | None = None) -> VapidKeys:
    """The configured key if any; else the one in `data`, made there (mode 0600) if missing. Two instances
    starting at once on one folder end up with the same key: the file appears whole or not at all."""
    if configured:
        return VapidKeys.parse(configured)
    path = data / KEY_FILE
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("%s was readable by others (mode %o): set to 0600", path, mode)
            path.chmod(0o600)
        try:
            return VapidKeys.parse(path.read_text())
        except VapidKeyError as exc:
            raise VapidKeyError(f"{path}: {exc}") from None
    data.mkdir(parents=True, exist_ok=True)
    keys = VapidKeys.generate()
    temporary = data / f".{KEY_FILE}.{os.getpid()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(keys.private_pem())
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # fails if another instance made it first: use theirs
        except FileExistsError:
            return VapidKeys.parse(path.read_text())
    finally:
        temporary.unlink(missing_ok=True)
    log.info("made a VAPID key pair in %s", path)
    return keys
