"""CourseKit's settings: all prefixed COURSEKIT_, defaulted without overriding the host's."""

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from . import paths

DEV_SECRET_KEY = "coursekit-development-key-not-secret"
_WEAK_SECRETS = {None, "", DEV_SECRET_KEY, "dev", "secret", "change-me", "changeme"}

DEFAULTS: Mapping[str, Any] = {
    "COURSEKIT_URL_PREFIX": "/training",
    "COURSEKIT_DATABASE_URL": None,  # default: a SQLite file in the app's instance folder
    "COURSEKIT_REDIS_URL": None,  # rate limits (and later the job queue) on Redis when set
    "COURSEKIT_CONTENT_DIR": None,  # default: the shipped content/
    "COURSEKIT_ORGANISATION_NAME": "CourseKit",
    "COURSEKIT_ORGANISATION_LOGO": None,  # URL of the logo shown in the header
    "COURSEKIT_LANGUAGES": ("zh", "en"),
    "COURSEKIT_DEFAULT_LANGUAGE": "en",
    "COURSEKIT_REGISTRATION_OPEN": True,
    "COURSEKIT_PRODUCTION": False,
    # Rate limits, designed for a workshop: a room of 300 behind one Wi-Fi (one address)
    # signs up, logs in and joins within minutes, while guessing stays slow. Per client
    # address only failed logins and wrong join codes count; per account name every try does.
    "COURSEKIT_LOGIN_LIMIT": "100 per 10 minutes;300 per day",  # failed logins per address
    # Per account name, from browsers that never signed in to it (a browser that did is
    # counted on its own, so guessing cannot lock the owner out).
    "COURSEKIT_LOGIN_ACCOUNT_LIMIT": "5 per minute;30 per hour",
    "COURSEKIT_PASSWORD_CHANGE_LIMIT": "5 per 10 minutes",  # wrong current passwords per user
    "COURSEKIT_REGISTER_LIMIT": "300 per 10 minutes",  # sign-ups per address
    "COURSEKIT_JOIN_LIMIT": "30 per minute",  # join pages per signed-in trainee
    "COURSEKIT_JOIN_MISS_LIMIT": "60 per 10 minutes",  # wrong join codes per address
    # How many proxies (load balancer, ingress) in front of the standalone app set
    # X-Forwarded-For and X-Forwarded-Proto: their addresses are replaced by the client's.
    # 0 trusts none of these headers (a client could otherwise pick its own address).
    "COURSEKIT_TRUSTED_PROXIES": 0,
    # Fernet keys sealing the tool's LTI private keys in the database (a list, or comma-
    # separated): the first seals, all open. Required in production; apart from SECRET_KEY.
    "COURSEKIT_KEY_ENCRYPTION_KEYS": (),
    "COURSEKIT_MIN_PASSWORD_LENGTH": 10,
    "COURSEKIT_CHECK_TOKEN_MAX_AGE": 24 * 3600,  # seconds a knowledge-check form stays valid
    "COURSEKIT_FRAME_ANCESTORS": "'self'",  # who may embed CourseKit pages in a frame
    "COURSEKIT_AT_RISK_INACTIVE_DAYS": 7,  # a trainee idle this long shows as at risk
    # Certificates: the issuer's branding, and whether to print both languages on one.
    "COURSEKIT_CERTIFICATE_LOGO_FILE": None,  # a PNG or SVG file, embedded in the PDF
    "COURSEKIT_CERTIFICATE_SIGNATORY": None,  # e.g. "Wang Li"
    "COURSEKIT_CERTIFICATE_SIGNATORY_ROLE": None,  # e.g. "Head of Training"
    "COURSEKIT_CERTIFICATE_ACCENT": "#0b5cad",
    "COURSEKIT_CERTIFICATE_BILINGUAL": False,
    # Above this many certificates a cohort's zip is built by a background job (with Redis).
    "COURSEKIT_CERTIFICATE_BATCH_INLINE_LIMIT": 20,
    # Host mode: called with the host's current_user, returns a HostIdentity (see auth/identity.py).
    "COURSEKIT_HOST_IDENTITY": None,
    # SCORM: ids of exported packages whose launches are refused (see export-scorm's output).
    "COURSEKIT_SCORM_REVOKED_PACKAGES": (),
    # LTI 1.3 (the tool side): clock leeway for id_tokens, how long a login may take, the
    # platforms' key sets cache, a new-window link's life, and the key rotation overlap.
    "COURSEKIT_LTI_LEEWAY_SECONDS": 60,
    "COURSEKIT_LTI_LOGIN_MAX_AGE": 600,
    "COURSEKIT_LTI_JWKS_CACHE_SECONDS": 3600,
    "COURSEKIT_LTI_JWKS_MIN_REFETCH_SECONDS": 5,
    "COURSEKIT_LTI_HTTP_TIMEOUT": 10,
    "COURSEKIT_LTI_OPEN_LINK_MAX_AGE": 300,
    "COURSEKIT_LTI_KEY_OVERLAP_HOURS": 72,
    "COURSEKIT_LTI_REGISTRATION_URL_DAYS": 7,
    "COURSEKIT_LTI_LOGIN_LIMIT": "600 per minute",  # LMS login initiations per client address
    # Operations: logs ("json" or "text" sets up a stderr handler in the standalone app; None
    # leaves logging to the host), an access line per request, and who may read /metrics.
    "COURSEKIT_LOG_FORMAT": None,
    "COURSEKIT_LOG_LEVEL": "INFO",
    "COURSEKIT_ACCESS_LOG": False,
    "COURSEKIT_METRICS_TOKEN": None,  # a bearer token; unset: only 127.0.0.1 may scrape
    # The largest request body CourseKit accepts (a roster CSV, a logo); more gets a 413 page.
    "COURSEKIT_MAX_REQUEST_BYTES": 4_000_000,
    # The outbox (grades to the LMS, statements to the LRS): tries before a message is marked
    # failed, the first retry delay (doubling, with jitter) and its cap, how long a worker
    # owns a claimed message, the HTTP timeout, and (without Redis) delivering right after
    # the request that queued something.
    "COURSEKIT_OUTBOX_MAX_ATTEMPTS": 10,
    "COURSEKIT_OUTBOX_BACKOFF_SECONDS": 30,
    "COURSEKIT_OUTBOX_BACKOFF_MAX_SECONDS": 6 * 3600,
    "COURSEKIT_OUTBOX_LEASE_SECONDS": 600,
    "COURSEKIT_OUTBOX_HTTP_TIMEOUT": 10,
    "COURSEKIT_OUTBOX_INLINE": True,
    # AGS/NRPS calls: (session, issuer, client_id) -> (PlatformEndpoints, SigningKey) or None.
    "COURSEKIT_LTI_PLATFORM_RESOLVER": None,
    # xAPI: statements go to this LRS (e.g. https://lrs.example.com/xAPI) when it is set.
    "COURSEKIT_XAPI_ENDPOINT": None,
    "COURSEKIT_XAPI_USERNAME": None,
    "COURSEKIT_XAPI_PASSWORD": None,
    "COURSEKIT_XAPI_SITE_URL": None,  # actors' homePage and activity ids; default: request URL
    "COURSEKIT_XAPI_ACTOR_KEY": None,  # keys the learners' pseudonyms; default: the secret key
    # Personal data: an erased trainee's certificates are revoked ("revoke") or stay valid
    # ("keep"); trainees idle this many days are erased by `flask coursekit retention --apply`.
    "COURSEKIT_ERASURE_CERTIFICATES": "revoke",
    "COURSEKIT_RETENTION_INACTIVE_DAYS": None,  # None: keep accounts forever
}


def private_file(path: Path) -> Path:
    """Make `path` readable by its owner only, in a folder only the owner may enter: the
    SQLite database (and the journals SQLite gives its mode) holds password hashes and work."""
    if not path.parent.exists():  # a folder that exists (a host's) keeps its own mode
        path.parent.mkdir(parents=True)
        path.parent.chmod(0o700)  # mkdir's mode is filtered by the umask
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # create it, or leave it be
    path.chmod(0o600)
    return path


def apply_defaults(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if not app.config["COURSEKIT_DATABASE_URL"]:
        db_file = private_file(Path(app.instance_path) / "coursekit.db")
        app.config["COURSEKIT_DATABASE_URL"] = f"sqlite:///{db_file}"
    if not app.config["COURSEKIT_CONTENT_DIR"]:
        app.config["COURSEKIT_CONTENT_DIR"] = str(paths.content_dir())
    # Flask pre-fills its own cookie settings with lax values, so "unset" means None/False.
    cookies = {
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
    }
    if app.config["COURSEKIT_PRODUCTION"]:
        cookies.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    for key, value in cookies.items():
        if not app.config.get(key):
            app.config[key] = value


def check_production(app: Flask) -> None:
    """Refuse to run in production with a missing, default or short secret key."""
    if not app.config["COURSEKIT_PRODUCTION"]:
        return
    secret = app.config.get("SECRET_KEY")
    if secret in _WEAK_SECRETS or len(str(secret)) < 32:
        raise RuntimeError(
            "CourseKit refuses to start in production mode with a default or short secret key: "
            "set COURSEKIT_SECRET_KEY to a random value of at least 32 characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    if not app.config.get("COURSEKIT_KEY_ENCRYPTION_KEYS"):
        raise RuntimeError(
            "CourseKit refuses to start in production mode without COURSEKIT_KEY_ENCRYPTION_KEYS, "
            "which seals the LTI private keys in the database: make one with `python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """COURSEKIT_* variables as settings; values that parse as JSON (true, 5, [..]) are typed.

    COURSEKIT_SECRET_KEY becomes Flask's SECRET_KEY.
    """
    settings: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith("COURSEKIT_"):
            continue
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        settings["SECRET_KEY" if key == "COURSEKIT_SECRET_KEY" else key] = value
    if "SECRET_KEY" in settings:
        settings["SECRET_KEY"] = str(settings["SECRET_KEY"])
    return settings
