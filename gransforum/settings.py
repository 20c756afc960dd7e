"""Settings for Gränsforum, read from the environment.

Development needs nothing set: DEBUG is on and the database is an SQLite file in
the project folder. Production sets at least SECRET_KEY, DEBUG=false,
ALLOWED_HOSTS and DATABASE_URL (see README.md).
"""

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from gransforum.env import (
    ImproperlyConfiguredEnv,
    envbool,
    envint,
    envlist,
    envurl,
    parse_cache_url,
    parse_database_url,
)

if sys.version_info < (3, 13):  # noqa: UP036 - the message is the point
    raise SystemExit("Gränsforum needs Python 3.13 or newer (see README.md).")

BASE_DIR = Path(__file__).resolve().parent.parent

try:
    DEBUG = envbool("DEBUG", True)
    DATABASES = {
        "default": parse_database_url(os.getenv("DATABASE_URL") or "sqlite:///db.sqlite3", BASE_DIR)
    }
    CACHES = {
        "default": parse_cache_url(os.getenv("CACHE_URL") or "locmem://"),
        # Each process's own: drawn rows of pages ({% cache ... using="local" %}) and
        # the phones' poll rows. Cheaper to make again than a round trip to a shared
        # cache, and nothing in them needs to be the same on every app server.
        "local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "gransforum-local",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
    }
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
    CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
    # Where phones reach the app (http(s)://host[:port]): the join link and the
    # projector's QR code say this, not the address the facilitator's own browser
    # used. Empty: the request's own address.
    PUBLIC_URL = envurl("PUBLIC_URL")
    # A workshop served from a laptop on the venue's network (scripts/run): plain
    # http, so no cookie can be Secure and nothing redirects to https; in return the
    # facilitator's pages answer only this machine itself (gransforum.middleware).
    # Never with a PUBLIC_URL on https: a server with a name stays as strict as ever.
    LOCAL_NETWORK = envbool("LOCAL_NETWORK", False) and not PUBLIC_URL.startswith("https:")
    _plain_http = DEBUG or LOCAL_NETWORK
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if _plain_http else 31_536_000)
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not _plain_http)
    _hsts_preload = envbool("SECURE_HSTS_PRELOAD", True)
    USE_X_FORWARDED_PROTO = envbool("USE_X_FORWARDED_PROTO", False)
    # Answers already on their way when the time runs out are accepted this long.
    SUBMISSION_GRACE_SECONDS = envint("SUBMISSION_GRACE_SECONDS", 5)
    # A phone's "anything new?" is answered from the cache's copy of the row at most
    # this old (discussions/phone_poll.py, _poll_row); 0 reads the database each time.
    PHONE_POLL_CACHE_SECONDS = envint("PHONE_POLL_CACHE_SECONDS", 1)
    # Join codes: wrong codes per browser (a cookie) before that browser gets 429,
    # and per client address (everyone there who has not joined yet), per window.
    # A hall of 500 phones behind one address with 5 % mistyping twice sends 50.
    JOIN_FAILURE_LIMIT = envint("JOIN_FAILURE_LIMIT", 10)
    JOIN_ADDRESS_FAILURE_LIMIT = envint("JOIN_ADDRESS_FAILURE_LIMIT", 200)
    JOIN_FAILURE_WINDOW = envint("JOIN_FAILURE_WINDOW", 600)
    # Failed logins per client address (any usernames) before it answers 429.
    LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 30)
    LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 900)
    # Per address and username: this many wrong passwords go free, then each try
    # waits 2, 4, 8 … seconds after the last, at most LOGIN_MAX_DELAY; the count
    # is forgotten LOGIN_PAIR_WINDOW after the last failure. Never per username
    # alone: the right password from another address always gets in.
    LOGIN_FREE_FAILURES = envint("LOGIN_FREE_FAILURES", 3)
    LOGIN_MAX_DELAY = envint("LOGIN_MAX_DELAY", 900)
    LOGIN_PAIR_WINDOW = envint("LOGIN_PAIR_WINDOW", 86_400)
    # How many proxies of ours stand in front of the app and append to
    # X-Forwarded-For; 0 means REMOTE_ADDR is the client.
    TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
    # The admin under a path of your choosing keeps drive-by login attempts away.
    ADMIN_URL = os.getenv("ADMIN_URL", "admin/").strip("/") + "/"
except ImproperlyConfiguredEnv as e:
    raise ImproperlyConfigured(str(e)) from None

_secret = os.getenv("SECRET_KEY", "")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only for a developer's machine: anything signed with it is worthless elsewhere.
    _secret = "django-insecure-development-only-" + "gransforum" * 4
SECRET_KEY = _secret

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "recommendations",
    "discussions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A form body in any charset but UTF-8: 400 before anything reads it.
    "gransforum.middleware.form_charset_utf8",
    # With LOCAL_NETWORK: the facilitator's pages for this machine only.
    "gransforum.middleware.facilitator_on_this_machine",
    "gransforum.middleware.request_body_limit",
    # A phone's unchanged poll, most of a full hall's requests: 204 from here, with
    # the transport's headers above; those below govern a document, and it has none.
    "discussions.phone_poll.answer_unchanged",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "gransforum.middleware.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the person's pick, else the phone's (gransforum/languages.py).
    "gransforum.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gransforum.urls"
WSGI_APPLICATION = "gransforum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 for facilitators' passwords; the others stay so that older hashes still
# verify (and are upgraded on the next login).
PASSWORD_HASHERS = [
    "gransforum.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/f/"
LOGOUT_REDIRECT_URL = "/"

# Swedish first: the workshop's language. Norwegian bokmål and English follow.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("nb", "Norsk bokmål"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed files with content hashes in their names: far-future caching
        # is safe, and an old phone downloads htmx once.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Security settings that hold in every environment; the TLS ones follow DEBUG.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not _plain_http
CSRF_COOKIE_SECURE = not _plain_http
# Why: the language chooser's cookie had Django's defaults (no SameSite, never Secure).
LANGUAGE_COOKIE_SECURE = not _plain_http
LANGUAGE_COOKIE_SAMESITE = "Lax"
# A picked language outlives the browser's session (Django's default): a phone that
# closes its browser between two rounds of a workshop still has it.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading is what --deploy asks for; set SECURE_HSTS_PRELOAD=false for a host
# that must keep plain HTTP on a subdomain.
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0 and _hsts_preload
X_FRAME_OPTIONS = "DENY"
# Enforced, not report-only: scripts and styles come from our own static files
# only. No inline code, no eval (htmx runs with allowEval off); a nonce is there
# for the rare script tag that must be inline (django-htmx's tags use it).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Nothing here needs the phone's camera, microphone or position.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

if USE_X_FORWARDED_PROTO:
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Nothing a phone sends is large: a text is at most 500 characters and the
# biggest form has a handful of fields. Refuse anything far beyond that early.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
# Why: the app takes no files, so a multipart file part is never written to disk
# (gransforum.middleware.request_body_limit refuses whole bodies over 64 KiB first).
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
