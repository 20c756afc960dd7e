import os
import subprocess
import sys
from pathlib import Path

import pytest

from gransforum.env import ImproperlyConfiguredEnv, envbool, envint, parse_database_url

BASE = Path(__file__).resolve().parent.parent


def test_sqlite_url_relative_to_the_project():
    db = parse_database_url("sqlite:///db.sqlite3", BASE)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == BASE / "db.sqlite3"
    # What keeps 40 phones saving at once from meeting "database is locked".
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5


def test_sqlite_url_absolute_path():
    db = parse_database_url("sqlite:////var/lib/gransforum/db.sqlite3", BASE)
    assert db["NAME"] == Path("/var/lib/gransforum/db.sqlite3")


def test_postgres_url():
    db = parse_database_url(
        "postgres://gf:s%40cret@db.example.org:6432/gransforum?sslmode=require", BASE
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("gransforum", "gf", "s@cret")
    assert (db["HOST"], db["PORT"]) == ("db.example.org", "6432")
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert db["CONN_MAX_AGE"] > 0


def test_pgbouncer_transaction_pooling_parameters():
    db = parse_database_url(
        "postgres://gf@pgbouncer:6432/gf?disable_server_side_cursors=true&prepare_threshold=none",
        BASE,
    )
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert db["OPTIONS"] == {"prepare_threshold": None}
    plain = parse_database_url("postgres://gf@db/gf?prepare_threshold=5", BASE)
    assert plain["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert plain["OPTIONS"] == {"prepare_threshold": 5}
    for bad in ("disable_server_side_cursors=perhaps", "prepare_threshold=many"):
        with pytest.raises(ImproperlyConfiguredEnv):
            parse_database_url(f"postgres://gf@db/gf?{bad}", BASE)


def test_postgresql_scheme_and_no_port():
    db = parse_database_url("postgresql://postgres@127.0.0.1/gf", BASE)
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["PORT"]) == ("gf", "postgres", "", "")


@pytest.mark.parametrize("url", ["mysql://x@y/z", "sqlite://", "postgres://host/", "nonsense"])
def test_bad_database_urls_fail_loudly(url):
    with pytest.raises(ImproperlyConfiguredEnv):
        parse_database_url(url, BASE)


def test_envbool_and_envint(monkeypatch):
    monkeypatch.setenv("GF_FLAG", "no")
    assert envbool("GF_FLAG", True) is False
    monkeypatch.setenv("GF_FLAG", "sometimes")
    with pytest.raises(ImproperlyConfiguredEnv, match="GF_FLAG"):
        envbool("GF_FLAG", True)
    monkeypatch.setenv("GF_NUMBER", "12")
    assert envint("GF_NUMBER", 3) == 12
    monkeypatch.setenv("GF_NUMBER", "twelve")
    with pytest.raises(ImproperlyConfiguredEnv, match="GF_NUMBER"):
        envint("GF_NUMBER", 3)
    monkeypatch.delenv("GF_NUMBER")
    assert envint("GF_NUMBER", 3) == 3


def run_manage(*args, **env):
    # The browser tests allow Django's ORM next to Playwright's event loop in this
    # process; that must not leak into a deploy check of its own.
    dropped = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-real-secret-" + "x7Q!p2#Lm9$wR4^tZ8&" * 3,
    "ALLOWED_HOSTS": "gransforum.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://gransforum.example.org",
}


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_bad_debug_value_names_the_variable():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_cache_urls():
    from gransforum.env import parse_cache_url

    assert parse_cache_url("locmem://")["BACKEND"].endswith("LocMemCache")
    redis = parse_cache_url("redis://127.0.0.1:6379/2")
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/2",
    }
    with pytest.raises(ImproperlyConfiguredEnv, match="CACHE_URL"):
        parse_cache_url("memcached://x")


def test_a_worker_freezes_what_it_loaded():
    """gransforum/wsgi.py loads every view and freezes it all: the collector's full
    passes then skip what lives as long as the worker."""
    code = (
        "import gc, gransforum.wsgi, discussions.facilitator_views as views\n"
        "tracked = gc.get_objects()\n"
        "print(gc.get_freeze_count(), any(o is views.dashboard for o in tracked))\n"
    )
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    frozen, view_unfrozen = result.stdout.split()
    assert int(frozen) > 10_000
    assert view_unfrozen == "False"
