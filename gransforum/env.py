"""Reading settings from the environment.

Tiny helpers in the manner of healthchecks' settings: a value that is present but
cannot be read stops the start with a message naming the variable, instead of
silently falling back to a default nobody asked for.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


class ImproperlyConfiguredEnv(ValueError):
    pass


def envbool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    match value.strip().lower():
        case "1" | "true" | "yes" | "on":
            return True
        case "0" | "false" | "no" | "off":
            return False
    raise ImproperlyConfiguredEnv(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.getenv(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envurl(name: str) -> str:
    """An http(s) address without a path, e.g. https://gransforum.example.org; "" if unset."""
    value = (os.getenv(name) or "").strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ImproperlyConfiguredEnv(
            f"{name} must be an address such as https://gransforum.example.org, not {value!r}"
        )
    return value


def parse_database_url(url: str, base_dir: Path) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry.

    sqlite:///relative/path.sqlite3 (relative to the project folder),
    sqlite:////absolute/path.sqlite3, and postgres://user:password@host:port/name
    (postgresql:// too; query parameters become connection OPTIONS, e.g. sslmode).
    Two parameters are for PgBouncer in transaction pooling mode (README):
    disable_server_side_cursors=true sets Django's DISABLE_SERVER_SIDE_CURSORS, and
    prepare_threshold=none turns off psycopg's automatic prepared statements.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # urlsplit keeps the leading slash of the path: "sqlite:///db.sqlite3" -> "/db.sqlite3".
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise ImproperlyConfiguredEnv("DATABASE_URL names no SQLite file")
        name = Path(unquote(path))
        return sqlite_database(name if name.is_absolute() else base_dir / name)
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfiguredEnv("DATABASE_URL names no PostgreSQL database")
        options = dict(parse_qsl(parts.query))
        disable_cursors = _flag(
            "disable_server_side_cursors", options.pop("disable_server_side_cursors", "false")
        )
        if "prepare_threshold" in options:
            raw = options["prepare_threshold"]
            if raw.lower() == "none":
                options["prepare_threshold"] = None
            elif raw.isdigit():
                options["prepare_threshold"] = int(raw)
            else:
                raise ImproperlyConfiguredEnv(
                    f"DATABASE_URL: prepare_threshold must be a number or none, not {raw!r}"
                )
        return {
            "DISABLE_SERVER_SIDE_CURSORS": disable_cursors,
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # Reuse connections between requests: opening one costs more than a
            # whole unchanged poll. Health checks drop a connection that died.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfiguredEnv(
        f"DATABASE_URL must start with sqlite:// or postgres://, not {parts.scheme or url!r}://"
    )


def _flag(name: str, raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfiguredEnv(f"DATABASE_URL: {name} must be true or false, not {raw!r}")


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets the projector's polls read while a phone writes; IMMEDIATE
            # takes the write lock at BEGIN, so two saves queue on the busy timeout
            # instead of one failing with "database is locked" when it upgrades a
            # read lock half-way through its transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


def parse_cache_url(url: str) -> dict:
    """Turn CACHE_URL into a Django CACHES entry.

    locmem:// (one process's memory: fine for one app server) or
    redis://host:port/db (shared by every app server: rate limits then hold
    across all of them).
    """
    parts = urlsplit(url)
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if parts.scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfiguredEnv(
        f"CACHE_URL must start with locmem:// or redis://, not {parts.scheme or url!r}://"
    )
