"""Signed knowledge-check tickets: the form carries who may submit what, once."""

import secrets
from dataclasses import asdict, dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_SALT = "coursekit.check-ticket"


@dataclass(frozen=True)
class CheckTicket:
    user_id: int
    module_id: str
    check_hash: str
    seed: int  # the option order this attempt shows (and its review shows again)
    nonce: str  # stored unique with the attempt: a second submission of one form is refused


class TicketError(Exception):
    pass


def issue_ticket(
    secret_key: str, user_id: int, module_id: str, check_hash: str
) -> tuple[str, CheckTicket]:
    ticket = CheckTicket(
        user_id=user_id,
        module_id=module_id,
        check_hash=check_hash,
        seed=secrets.randbits(31),
        nonce=secrets.token_urlsafe(24),
    )
    token = URLSafeTimedSerializer(secret_key, salt=_SALT).dumps(asdict(ticket))
    return token, ticket


def read_ticket(secret_key: str, token: str, max_age: int) -> CheckTicket:
    serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
        return CheckTicket(**data)
    except SignatureExpired as exc:
        raise TicketError("expired") from exc
    except (BadSignature, TypeError) as exc:
        raise TicketError("invalid") from exc
