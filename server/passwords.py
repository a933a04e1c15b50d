"""Passwords: argon2id hashing and checking, off the event loop, the one owner of the hasher's settings."""

from __future__ import annotations

import secrets

import anyio
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """argon2id hashing, off the event loop and at most `concurrency` at a time (each takes its memory)."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int, concurrency: int = 4):
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._limiter = anyio.CapacityLimiter(concurrency)
        # Verifying against this when the email is unknown makes both answers take as long.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no hash (unknown account), spend the same time and say no."""
        return await anyio.to_thread.run_sync(self._verify, password_hash, password, limiter=self._limiter)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
