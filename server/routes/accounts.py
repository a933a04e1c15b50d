"""Accounts and devices: sign up, sign in (one token per device), list and revoke devices, change the
password, sign out, erase the account.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from typing import Annotated

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST, HTTP_401_UNAUTHORIZED, HTTP_403_FORBIDDEN, HTTP_404_NOT_FOUND, HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
)
from msgspec import UNSET, Meta, Struct

from events.types import Language, SettingsChanged, SettingsChangedData, Zone, is_time_zone

from ..activity import DeviceActivity
from ..auth import Session, client_address, new_token, normalize_email
from ..clock import Clock
from ..errors import NO_NUL, ApiError, read_json_body
from ..passwords import Passwords
from ..ratelimit import hit_all, retry_after
from ..services import Services
from ..store.contract import AccountExists

BEARER = [{"bearer": []}]

Email = Annotated[str, Meta(min_length=3, max_length=254, description="The account's email (case does not matter)"),
                  NO_NUL]
NewPassword = Annotated[str, Meta(min_length=8, max_length=1024, description="At least 8 characters"), NO_NUL]
AnyPassword = Annotated[str, Meta(max_length=1024), NO_NUL]
DeviceName = Annotated[str, Meta(min_length=1, max_length=100, description="Shown in the list of devices"), NO_NUL]


class SignUp(Struct, forbid_unknown_fields=True):
    """A new account; `timezone` and `language` become its first `settings_changed` event."""

    email: Email
    password: NewPassword
    timezone: Zone | None = None
    language: Language | None = None
    device_name: DeviceName | None = None


class SignIn(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(max_length=254), NO_NUL]
    password: AnyPassword
    device_name: DeviceName | None = None


class SessionCreated(Struct):
    """A device's token: send it as `Authorization: Bearer <token>`. Shown once, never stored in clear."""

    account: str
    token: str
    device: str


class DeviceOut(Struct):
    id: str
    name: str
    created_at: dt.datetime
    last_seen_at: dt.datetime | None
    current: bool
    """Whether this is the device making the request."""


class DeviceList(Struct):
    devices: list[DeviceOut]


class PasswordChange(Struct, forbid_unknown_fields=True):
    current_password: AnyPassword
    new_password: NewPassword
    sign_out_other_devices: bool = True


class AccountErasure(Struct, forbid_unknown_fields=True):
    password: AnyPassword


class AccountsController(Controller):
    """Accounts, sessions and devices."""

    path = "/api"
    tags = ["accounts"]

    @post("/accounts", status_code=201, before_request=read_json_body)
    async def create_account(
        self, request: Request, data: JSONBody[SignUp], services: NamedDependency[Services],
        passwords: NamedDependency[Passwords], clock: NamedDependency[Clock],
    ) -> SessionCreated:
        """Sign up: create an account and its first device. Answers the device's token.

        A given `timezone` (IANA name) or `language` (`fr`, `en`) is recorded as a `settings_changed` event:
        the log is the only source of truth for settings. 409 if the email already has an account."""
        wait = services.signups_by_address.hit(client_address(request))
        if wait:
            raise _too_many("sign-ups from this address", wait)
        email = normalize_email(data.email)  # as sign-in has it: SQLite's NOCASE folds ASCII letters only
        if not _looks_like_email(email):
            raise ApiError(HTTP_400_BAD_REQUEST, f"`email`: {email!r} is not an email address", field="email")
        if data.timezone is not None and not is_time_zone(data.timezone):
            raise ApiError(
                HTTP_400_BAD_REQUEST,
                f"`timezone`: unknown time zone {data.timezone!r} (expected an IANA name such as Europe/Paris)",
                field="timezone",
            )
        now = clock.now()
        password_hash = await passwords.hash(data.password)
        first_events = []
        if data.timezone is not None or data.language is not None:
            settings = SettingsChangedData(
                timezone=data.timezone if data.timezone is not None else UNSET,
                language=data.language if data.language is not None else UNSET,
            )
            first_events.append(SettingsChanged(id=new_event_id(), v=1, at=now, data=settings))
        token, token_hash = new_token()
        try:  # one transaction: never an account without its device or its settings (a retry would get a 409)
            account, device = await services.store.sign_up(
                email, password_hash, data.device_name or "first device", token_hash, first_events, now
            )
        except AccountExists:
            raise ApiError(HTTP_409_CONFLICT, "an account with this email already exists; sign in instead") from None
        request.scope["state"]["merci.account"] = account.id
        services.signed_in_from.add(f"{email} {client_address(request)}")
        return SessionCreated(account=account.id, token=token, device=device.id)

    @post("/sessions", status_code=201, before_request=read_json_body)
    async def sign_in(
        self, request: Request, data: JSONBody[SignIn], services: NamedDependency[Services],
        passwords: NamedDependency[Passwords], clock: NamedDependency[Clock],
    ) -> SessionCreated:
        """Sign in from a new device: answers a new token for it. Attempts are rate-limited per (email, client
        address), per client address, and under a much higher ceiling per email from which an address the account
        signed in from lately is spared, so that strangers failing from their addresses do not lock the owner
        out of theirs; a refused attempt counts in no bucket. A wrong email and a wrong password get the same
        answer."""
        email = normalize_email(data.email)
        address = client_address(request)
        pair = f"{email} {address}"
        limits = [(services.login_by_email_and_address, pair), (services.login_by_address, address)]
        if pair not in services.signed_in_from:
            limits.append((services.login_by_email, email))
        wait = hit_all(limits)
        if wait:
            raise _too_many("log-in attempts", wait)
        account = await services.store.account_by_email(email)
        if not await passwords.verify(account.password_hash if account else None, data.password):
            raise ApiError(HTTP_401_UNAUTHORIZED, "wrong email or password")
        assert account is not None
        checked = account.password_hash
        if passwords.needs_rehash(checked):
            checked = await passwords.hash(data.password)
            await services.store.set_password(account.id, checked)
        token, token_hash = new_token()
        device = await services.store.add_device(
            account.id, data.device_name or "device", token_hash, clock.now(), password_hash=checked
        )
        if device is None:  # the password was changed, or the account erased, while this one was being checked
            raise ApiError(HTTP_401_UNAUTHORIZED, "wrong email or password")
        request.scope["state"]["merci.account"] = account.id
        services.signed_in_from.add(pair)
        return SessionCreated(account=account.id, token=token, device=device.id)

    @post("/sessions/logout", status_code=204, security=BEARER)
    async def sign_out(
        self, session: NamedDependency[Session], services: NamedDependency[Services],
        activity: NamedDependency[DeviceActivity],
    ) -> None:
        """Sign this device out: its token stops working."""
        await services.store.revoke_device(session.account_id, session.device_id)
        activity.forget(session.device_id)

    @get("/devices", security=BEARER)
    async def list_devices(self, session: NamedDependency[Session], services: NamedDependency[Services]) -> DeviceList:
        """The account's devices, oldest first, with when each was last used."""
        devices = await services.store.list_devices(session.account_id)
        return DeviceList(devices=[
            DeviceOut(d.id, d.name, d.created_at, d.last_seen_at, d.id == session.device_id) for d in devices
        ])

    @delete("/devices/{device_id:str}", status_code=204, security=BEARER)
    async def revoke_device(
        self, device_id: FromPath[str], session: NamedDependency[Session], services: NamedDependency[Services],
        activity: NamedDependency[DeviceActivity],
    ) -> None:
        """Revoke one of the account's devices (a lost phone): its token stops working at once."""
        if not await services.store.revoke_device(session.account_id, device_id):
            raise ApiError(HTTP_404_NOT_FOUND, f"this account has no device {device_id!r}", device=device_id)
        activity.forget(device_id)

    @put("/account/password", status_code=204, security=BEARER, before_request=read_json_body)
    async def change_password(
        self, data: JSONBody[PasswordChange], session: NamedDependency[Session], services: NamedDependency[Services],
        passwords: NamedDependency[Passwords], activity: NamedDependency[DeviceActivity],
    ) -> None:
        """Change the password (the current one is asked again, 403 if wrong). By default every other device is
        signed out. Password checks are rate-limited per device (429), never by other people's log-in attempts."""
        await _confirm_password(services, passwords, session, data.current_password)
        await services.store.set_password(session.account_id, await passwords.hash(data.new_password))
        if data.sign_out_other_devices:
            for device in await services.store.list_devices(session.account_id):
                if device.id != session.device_id:
                    await services.store.revoke_device(session.account_id, device.id)
                    activity.forget(device.id)

    @delete("/account", status_code=204, security=BEARER, before_request=read_json_body)
    async def erase_account(
        self, data: JSONBody[AccountErasure], session: NamedDependency[Session], services: NamedDependency[Services],
        passwords: NamedDependency[Passwords], activity: NamedDependency[DeviceActivity],
    ) -> None:
        """Erase the account for good: every event, device and subscription, then the account itself.
        The password is asked again (403 if wrong; rate-limited per device, 429)."""
        await _confirm_password(services, passwords, session, data.password)
        await services.store.erase_account(session.account_id)
        services.projections.forget(session.account_id)
        activity.forget_account(session.account_id)


async def _confirm_password(services: Services, passwords: Passwords, session: Session, password: str) -> None:
    account = await services.store.get_account(session.account_id)
    if account is None:  # erased by another device a moment ago
        raise ApiError(HTTP_401_UNAUTHORIZED, "this account no longer exists")
    # Per device, not per email: strangers' log-in failures for this email must not lock its own devices out.
    wait = services.password_checks_by_device.hit(session.device_id)
    if wait:
        raise _too_many("password attempts from this device", wait)
    if not await passwords.verify(account.password_hash, password):
        raise ApiError(HTTP_403_FORBIDDEN, "the password is wrong", field="password")


def _too_many(what: str, wait: float) -> ApiError:
    seconds = retry_after(wait)
    return ApiError(
        HTTP_429_TOO_MANY_REQUESTS, f"too many {what}; try again in {seconds} s", headers={"Retry-After": seconds}
    )


def _looks_like_email(email: str) -> bool:
    local, at, domain = email.rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() for c in email) and "." in domain.strip(".")


def new_event_id() -> str:
    """A UUIDv7 (RFC 9562): time-ordered, so ids made on the server sort like those made on phones."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10)) & ((1 << 80) - 1)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 9562 variant
    return str(uuid.UUID(int=value))
