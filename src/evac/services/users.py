"""Users of evac (staff): add, authenticate, change role or assembly point, list.

Passwords are never stored: only an Argon2 hash from the :class:`PasswordHasher` port. New passwords must
pass :func:`evac.services.passwords.password_problem` (length, not common, not derived from the user
name). A field officer must be assigned an assembly point (a place id) before they can see anyone.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from evac.core.errors import EvacError
from evac.services.ops_ports import Role, UserRecord
from evac.services.passwords import MIN_LENGTH, password_problem

if TYPE_CHECKING:
    from evac.services.ops_ports import OpsUnitOfWork, PasswordHasher

MIN_PASSWORD = MIN_LENGTH
#: the interface languages of the web UI (a user's choice follows them from device to device)
LANGUAGES = ("en", "ru", "ar")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


class UserError(EvacError):
    """A user request is invalid (bad name, weak password, unknown user, …)."""


class WrongPassword(UserError):
    """The current password given to change it is wrong (HTTP 403: re-authentication failed)."""


def _check(username: str, password: str | None, role: Role, place: str | None) -> None:
    if not _NAME.match(username):
        raise UserError("user names are 2-63 characters: lower-case letters, digits, '.', '_' or '-'")
    if password is not None:
        problem = password_problem(password, username=username)
        if problem is not None:
            raise UserError(problem)
    if role is Role.FIELD_OFFICER and not place:
        raise UserError("a field officer needs an assembly point (--place PLACE_ID)")


def _check_language(language: str | None) -> None:
    if language is not None and language not in LANGUAGES:
        raise UserError(f"language {language!r}: choose from {', '.join(LANGUAGES)}")


def add_user(*, uow: OpsUnitOfWork, hasher: PasswordHasher, username: str, password: str, role: Role,
             place: str | None = None, actor: str = "cli", language: str | None = None) -> UserRecord:
    _check(username, password, role, place)
    _check_language(language)
    with uow:
        if uow.ops.user(username) is not None:
            raise UserError(f"user {username!r} exists")
        user = UserRecord(username, hasher.hash(password), role, place, language=language)
        uow.ops.save_user(user)
        uow.ops.audit(actor=actor, action="user:add", subject=f"{username} as {role.value}")
        uow.commit()
    return user


def authenticate(*, uow: OpsUnitOfWork, hasher: PasswordHasher, username: str, password: str) -> UserRecord | None:
    """The user if the password matches an active account, else ``None`` (same answer for unknown users)."""
    with uow:
        user = uow.ops.user(username)
    if user is None or not user.active:
        hasher.verify("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$ZmFrZWZha2VmYWtlZmFrZWZha2VmYWtl", password)
        return None
    return user if hasher.verify(user.password_hash, password) else None


def get_user(*, uow: OpsUnitOfWork, username: str) -> UserRecord | None:
    with uow:
        return uow.ops.user(username)


def update_user(*, uow: OpsUnitOfWork, username: str, role: Role | None = None, place: str | None = None,
                active: bool | None = None, actor: str = "cli") -> UserRecord:
    """Change role, assembly point or active flag. A role change or a change of the active flag bumps the
    token version, so tokens issued before stop working at once (re-activating does not revive them)."""
    with uow:
        user = uow.ops.user(username)
        if user is None:
            raise UserError(f"no user {username!r}")
        new = replace(user, role=role or user.role, place=place if place is not None else user.place,
                      active=user.active if active is None else active)
        if new.role is not user.role or new.active != user.active:
            new = replace(new, token_version=user.token_version + 1)
        _check(new.username, None, new.role, new.place)
        uow.ops.save_user(new)
        uow.ops.audit(actor=actor, action="user:update",
                      subject=f"{username}: role={new.role.value} place={new.place} active={new.active}")
        uow.commit()
    return new


def sign_out_everywhere(*, uow: OpsUnitOfWork, username: str, actor: str) -> UserRecord:
    """End every session of ``username``: bump the token version (every token issued so far is refused)."""
    with uow:
        user = uow.ops.user(username)
        if user is None:
            raise UserError(f"no user {username!r}")
        new = replace(user, token_version=user.token_version + 1)
        uow.ops.save_user(new)
        uow.ops.audit(actor=actor, action="auth:logout", subject=username)
        uow.commit()
    return new


def change_password(*, uow: OpsUnitOfWork, hasher: PasswordHasher, username: str, new_password: str,
                    old_password: str | None = None, actor: str = "cli") -> UserRecord:
    """Set a new password (checked by :func:`password_problem`) and end every session of the user.

    ``old_password``: required from a user changing their own password (the API); ``None`` only from the
    CLI, whose operator already holds the workspace. A wrong old password raises :class:`WrongPassword`.
    """
    with uow:
        user = uow.ops.user(username)
    if user is None:
        raise UserError(f"no user {username!r}")
    if old_password is not None and not hasher.verify(user.password_hash, old_password):
        raise WrongPassword("the current password is wrong; the password was not changed")
    _check(username, new_password, user.role, user.place)
    if hasher.verify(user.password_hash, new_password):
        raise UserError("the new password is the current one; choose another")
    digest = hasher.hash(new_password)
    with uow:
        current = uow.ops.user(username)
        if current is None:
            raise UserError(f"no user {username!r}")
        new = replace(current, password_hash=digest, token_version=current.token_version + 1)
        uow.ops.save_user(new)
        uow.ops.audit(actor=actor, action="user:password", subject=username)
        uow.commit()
    return new


def set_language(*, uow: OpsUnitOfWork, username: str, language: str) -> UserRecord:
    """Remember ``username``'s interface language (one of :data:`LANGUAGES`), so every device uses it."""
    _check_language(language)
    with uow:
        user = uow.ops.user(username)
        if user is None:
            raise UserError(f"no user {username!r}")
        new = replace(user, language=language)
        uow.ops.save_user(new)
        uow.ops.audit(actor=username, action="user:language", subject=f"{username}: {language}")
        uow.commit()
    return new


def list_users(*, uow: OpsUnitOfWork) -> list[UserRecord]:
    with uow:
        return uow.ops.users()
