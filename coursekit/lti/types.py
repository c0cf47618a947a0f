"""Plain values the LTI modules pass between them (no Flask, no database)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SigningKey:
    """The tool's current RSA key: signs deep-linking responses and client assertions."""

    kid: str
    private_pem: bytes


@dataclass(frozen=True)
class PlatformEndpoints:
    """What the tool needs to call a platform's services (AGS, NRPS) with an OAuth2 token."""

    issuer: str
    client_id: str
    token_url: str
    # The `aud` of the client assertion: the platform's token audience if it names one,
    # otherwise its token URL.
    token_audience: str
