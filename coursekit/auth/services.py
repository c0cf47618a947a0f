"""Account services: each takes a session and plain values and raises AuthError on refusal."""

import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import utcnow, write_transaction
from ..domain.names import name_problem
from .models import Identity, Role, SignIn, User
from .passwords import hash_password, needs_rehash, verify_password

MAX_PASSWORD_LENGTH = 256  # Argon2 hashes anything, but there is no reason to hash a novel


class AuthError(Exception):
    """A refusal a person can act on; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str, email: str, min_length: int) -> None:
    if len(password) < min_length:
        raise AuthError(f"password too short (at least {min_length} characters)", "password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError("password too long", "password")
    if password.strip().lower() == normalise_email(email):
        raise AuthError("password must not be your email address", "password")


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def register(
    session: Session,
    *,
    email: str,
    name: str,
    password: str | None,
    role: Role = Role.TRAINEE,
    locale: str | None = None,
    min_password_length: int = 10,
) -> User:
    """Create an account. A password of None makes an account that signs in elsewhere."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise AuthError("name is required", "name")
    if (problem := name_problem(name)) is not None:
        raise AuthError(problem, "name")
    if password is not None:
        check_password_rules(password, email, min_password_length)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password is not None else None,
        role=role,
        locale=locale,
    )
    try:
        with write_transaction(session):
            existing = find_by_email(session, email)
            if existing is not None and _claimable(session, existing) and password is not None:
                # An instructor imported this trainee on a roster: signing up claims the account
                # (and its cohort places) by setting its first password.
                existing.name, existing.password_hash = name, user.password_hash
                existing.locale = existing.locale or locale
                return existing
            if existing is not None:
                raise AuthError("an account with this email already exists", "email")
            session.add(user)
    except IntegrityError as exc:  # a concurrent registration of the same email
        raise AuthError("an account with this email already exists", "email") from exc
    return user


def _claimable(session: Session, user: User) -> bool:
    """A roster-made account: no password yet, and no other system signs it in."""
    if user.password_hash is not None or user.role != Role.TRAINEE:
        return False
    return session.scalar(select(Identity.id).where(Identity.user_id == user.id).limit(1)) is None


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the email and password match, else None (same cost either way)."""
    user = find_by_email(session, email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    assert user is not None and user.password_hash is not None
    if needs_rehash(user.password_hash):
        with write_transaction(session):
            user.password_hash = hash_password(password)
    return user


def change_password(
    session: Session, user_id: int, current: str, new: str, *, min_password_length: int = 10
) -> User:
    """Set a new password and sign out the user's other sessions."""
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None:
            raise AuthError("no such account")
        if not verify_password(user.password_hash, current):
            raise AuthError("current password is wrong", "current_password")
        check_password_rules(new, user.email, min_password_length)
        user.password_hash = hash_password(new)
        user.session_version += 1
    return user


def set_role(session: Session, user_id: int, role: Role) -> User:
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None:
            raise AuthError("no such account")
        user.role = role
    return user


def set_locale(session: Session, user_id: int, locale: str) -> None:
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is not None:
            user.locale = locale


def load_session_user(session: Session, cookie_id: str) -> User | None:
    """The user for a login cookie id "<id>:<session version>[:<sign-in>]", if still valid:
    the version is current and the sign-in has not ended."""
    user_id, version, sign_in = [*cookie_id.split(":"), "", ""][:3]
    if not (user_id.isdigit() and version.isdigit()):
        return None
    if sign_in:
        row = session.execute(
            select(User, SignIn.ended_at)
            .join(SignIn, SignIn.user_id == User.id)
            .where(User.id == int(user_id), SignIn.id == sign_in)
        ).first()
        if row is None or row.ended_at is not None:
            return None
        user = row[0]
    else:  # a cookie from before sign-ins were recorded: valid until the version moves
        user = session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    user.sign_in_id = sign_in or None
    return user


def start_sign_in(session: Session, user: User) -> None:
    """Record a new sign-in for this device; the cookies Flask-Login writes next name it."""
    with write_transaction(session):
        row = SignIn(id=secrets.token_urlsafe(16), user_id=user.id)
        session.add(row)
    user.sign_in_id = row.id


def end_sign_in(session: Session, user: User) -> None:
    """Logout: end this device's sign-in on the server (a copied cookie stops working). A
    session from before sign-ins were recorded can only be ended with all the others."""
    with write_transaction(session):
        if user.sign_in_id:
            session.execute(
                update(SignIn)
                .where(SignIn.id == user.sign_in_id, SignIn.ended_at.is_(None))
                .values(ended_at=utcnow())
            )
        else:
            session.execute(
                update(User)
                .where(User.id == user.id)
                .values(session_version=User.session_version + 1)
            )


def sign_out_everywhere(session: Session, user_id: int) -> None:
    """End every sign-in of this user, on every device, remember-me cookies included."""
    with write_transaction(session):
        session.execute(
            update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
        )
        session.execute(
            update(SignIn)
            .where(SignIn.user_id == user_id, SignIn.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


@dataclass(frozen=True)
class ExternalPerson:
    """Who another system (a host app, an LMS) says the user is."""

    issuer: str
    subject: str
    email: str
    name: str
    role: Role = Role.TRAINEE


def provision(session: Session, person: ExternalPerson) -> User:
    """Find the user behind an external identity, creating the account on first sight."""
    query = (
        select(User)
        .join(Identity, Identity.user_id == User.id)
        .where(Identity.issuer == person.issuer, Identity.subject == person.subject)
    )
    user = session.scalar(query)
    if user is not None:
        return user
    try:
        with write_transaction(session):
            user = session.scalar(query)
            if user is None:
                user = find_by_email(session, person.email) or User(
                    email=normalise_email(person.email),
                    name=person.name.strip() or person.email,
                    password_hash=None,
                    role=person.role,
                )
                session.add(user)
                session.flush()
                session.add(Identity(user_id=user.id, issuer=person.issuer, subject=person.subject))
    except IntegrityError:  # provisioned concurrently by another request: use that one
        user = session.scalar(query)
        if user is None:
            raise
    return user
