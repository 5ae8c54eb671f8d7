"""Settings for motcua: every knob comes from the environment, with a safe development default.

`MOTCUA_ENV=production` turns on the checks that refuse an unsafe start (development secret,
DEBUG on). See docs/operations.md for the full list of variables.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("MOTCUA_ENV", "development")
DEVELOPMENT_SECRET_KEY = "motcua-development-only-secret-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Earlier keys, still accepted for what they signed (sessions, the forms' verification codes).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DEBUG", False)

if ENVIRONMENT == "production":
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "MOTCUA_ENV=production needs SECRET_KEY set to a random value of 32+ characters."
        )
    if DEBUG:
        raise ImproperlyConfigured("MOTCUA_ENV=production refuses DEBUG=true.")
    if not os.environ.get("MOTCUA_PUBLIC_URL", "").strip():
        raise ImproperlyConfigured(
            "MOTCUA_ENV=production needs MOTCUA_PUBLIC_URL, the public site's address "
            "(https://…), for the links in messages and the QR codes on forms."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "motcua.core",
    "motcua.org",
    "motcua.catalog",
    "motcua.portal",
    "motcua.dossiers",
    "motcua.payments",
    "django_tasks",
    "django_tasks_db",
    "motcua.backoffice",
    "motcua.monitoring",
    "motcua.api",
    "motcua.demo",
    "motcua.ops",
    "motcua.privacy",
    "motcua.notify",
    "motcua.signing",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
]

MIDDLEWARE = [
    # First, so that every log line and every answer carries the request id and is counted.
    "motcua.ops.logs.RequestIdMiddleware",
    "motcua.ops.metrics.MetricsMiddleware",
    "motcua.core.memo.GenerationsPerRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "motcua.core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "motcua.org.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "motcua.core.context_processors.site",
            ],
        },
    },
]

# SQLite file by default (zero set-up); DATABASE_URL selects PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL and a busy timeout let several requests write without "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
elif os.environ.get("MOTCUA_DB_POOLER", "") == "pgbouncer":
    # PgBouncer in transaction mode hands each transaction to any server connection: no
    # prepared statements (psycopg prepares after five runs) and no server-side cursors.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process (gunicorn workers, task workers): rate limits, lockouts and
# rendered public pages must agree across them. With several app servers `CACHE_URL` names a
# Redis server (Django's own RedisCache), which every server uses; without it a file cache per
# host (zero set-up, one machine).
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHE_DIR = Path(os.environ.get("MOTCUA_CACHE_DIR", VAR_DIR / "cache"))
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// address.")
    CACHES = {
        alias: {
            "BACKEND": "motcua.core.cache.RedisCache",  # Django's, reusing its client
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": f"motcua:{alias}",
            "TIMEOUT": None if alias == "pages" else 300,
            # A stopped Redis must fail a request quickly (and /readyz), not hang it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        for alias in ("default", "pages")
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "motcua.core.cache.FileCache",
            "LOCATION": str(CACHE_DIR / "default"),
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
        "pages": {
            "BACKEND": "motcua.core.cache.FileCache",
            "LOCATION": str(CACHE_DIR / "pages"),
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
    }
# Sessions live in the database and are read through the shared cache: any app server can
# serve any request, and a cache restart signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# The client's address is the one our own proxies saw: with N trusted proxies in front (nginx,
# the province's gateway), the Nth address from the right of X-Forwarded-For. 0 (the default)
# ignores the header, which any client can write.
TRUSTED_PROXIES = int(os.environ.get("MOTCUA_TRUSTED_PROXIES", "0"))
if TRUSTED_PROXIES and env_bool("MOTCUA_PROXY_SETS_PROTO", True):
    # The proxy terminates TLS and says so; only trusted when a proxy is declared.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Without collectstatic (development, tests) whitenoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", ENVIRONMENT != "production")
if ENVIRONMENT != "production":
    # Zero set-up: the SQLite file, uploads and static folder live under var/.
    for _folder in (VAR_DIR, STATIC_ROOT, MEDIA_ROOT):
        _folder.mkdir(parents=True, exist_ok=True)

# Uploaded files: the local folder MEDIA_ROOT, or with STORAGE_BACKEND=s3 a bucket of an
# S3-compatible object store (MinIO, Ceph, the province's cloud) that every app server shares.
# Objects are private: motcua's views check permission and stream them; nothing is public and
# no file is ever overwritten.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", "motcua"),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION", "us-east-1"),
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
            "location": os.environ.get("S3_PREFIX", ""),
            "signature_version": "s3v4",
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
        },
    }
else:
    _default_storage = {"BACKEND": STORAGE_BACKEND or "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if ENVIRONMENT == "production"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua@localhost")
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (trials, the local stack).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", ENVIRONMENT == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Production speaks HTTPS only: plain requests are redirected and browsers told to remember it.
# The probes of the load balancer and Prometheus may ask over plain HTTP inside the network.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", ENVIRONMENT == "production")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if ENVIRONMENT == "production" else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preload only takes effect once the domain is submitted to the browsers' list.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", ENVIRONMENT == "production")

# Content-Security-Policy on every page (django-csp): scripts and styles only from our own
# static files, nothing inline; forms may post to us and to the payment gateway only. Views
# that send stored files set their own stricter policy, which the middleware leaves alone.
_GATEWAY_ORIGIN = "/".join(
    os.environ.get("MOTCUA_VNPAY_URL", "https://sandbox.vnpayment.vn/x").split("/")[:3]
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *([_GATEWAY_ORIGIN] if _GATEWAY_ORIGIN else [])],
    }
}

# JSON lines for the log collector in production, readable text in development; both carry the
# request id and are scrubbed of query strings and personal numbers (motcua/ops/logs.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if ENVIRONMENT == "production" else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "motcua.ops.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "motcua.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # One access line a request and the tasks' start and end lines (motcua.ops.logs).
        "motcua": {"level": os.environ.get("MOTCUA_LOG_LEVEL", "INFO")},
        # 4xx warnings name the path, which carries dossier codes; the access line has them.
        "django.request": {"level": "ERROR"},
        # runserver's request lines go through the same scrubbing (they hold query strings).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Who may read /metrics: these addresses or networks, or a bearer token (for a scraper
# elsewhere). Prometheus scrapes each app server directly, not through the load balancer.
MOTCUA_METRICS_ALLOWED = env_list("MOTCUA_METRICS_ALLOWED", "127.0.0.1,::1")
MOTCUA_METRICS_TOKEN = os.environ.get("MOTCUA_METRICS_TOKEN", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "motcua.api.errors.exception_handler",
    # DRF's throttles find the client the way core.ratelimit does.
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("MOTCUA_TOKEN_RATE", "10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "REST API v1 of motcua: the procedure catalog, dossiers and their actions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicantKindEnum": "motcua.dossiers.models.ApplicantKind",
        "FeeKindEnum": "motcua.catalog.models.Fee.Kind",
    },
}

# Background work through Django's Tasks API: the database backend by default (run
# `manage.py db_worker`), an RQ/Redis backend for scale, the immediate one for quick demos.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "MOTCUA_TASKS_BACKEND", "motcua.ops.tasks_backend.DatabaseBackend"
        ),
    }
}

# --- motcua's own settings (a province may change each) ---
MOTCUA = {
    "PROVINCE_NAME": os.environ.get("MOTCUA_PROVINCE_NAME", ""),
    # Who must confirm a TOTP code after their password: "roles" (those who approve, sign,
    # administer or see other units' personal data: see org.permissions.TWO_FACTOR_ROLES),
    # "all" staff, or "none". Staff who set up a device always use it.
    "REQUIRE_2FA": os.environ.get(
        "MOTCUA_REQUIRE_2FA", "roles" if ENVIRONMENT == "production" else "none"
    )
    .strip()
    .lower(),
    # 24 November (Vietnamese Culture Day) was announced as a day off pending the Labour Code
    # amendment; off by default until the law passes.
    "CULTURE_DAY_OFF": env_bool("MOTCUA_CULTURE_DAY_OFF", False),
    "CATALOG_PAGE_SIZE": int(os.environ.get("MOTCUA_CATALOG_PAGE_SIZE", "20")),
    # Dossier code: the regulation fixing it was not confirmed, so the pattern is a setting.
    "DOSSIER_CODE_PATTERN": os.environ.get(
        "MOTCUA_DOSSIER_CODE_PATTERN", "{agency}-{day:%y%m%d}-{seq:04d}"
    ),
    # After a supplement: "pause" removes the waiting time from elapsed time (the national
    # portal's scoring); "restart" gives the full processing time again from the supplement.
    "SUPPLEMENT_RULE": os.environ.get("MOTCUA_SUPPLEMENT_RULE", "pause"),
    "DUE_SOON_DAYS": os.environ.get("MOTCUA_DUE_SOON_DAYS", "1"),
    "MAX_UPLOAD_MB": int(os.environ.get("MOTCUA_MAX_UPLOAD_MB", "20")),
    # Decompression bombs (motcua.dossiers.files): an image's width × height, and what a ZIP,
    # Word or Excel file may unpack to in all. A 40-megapixel photo or scan is an A4 page at
    # 600 dpi with room to spare.
    "MAX_IMAGE_PIXELS": int(os.environ.get("MOTCUA_MAX_IMAGE_PIXELS", "40000000")),
    "MAX_UNZIPPED_MB": int(os.environ.get("MOTCUA_MAX_UNZIPPED_MB", "200")),
    # Forms of Decree 118/2025 (seven) or of Circular 01/2018/TT-VPCP (six).
    "FORM_SET": os.environ.get("MOTCUA_FORM_SET", "decree118"),
    # Absolute address of the public site, printed in QR codes on the forms.
    "PUBLIC_URL": os.environ.get("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000"),
    # Online payment: "vnpay" (the merchant's code and secret below), "local" (motcua's own
    # test gateway, development only) or "" (fees paid at the counter only).
    "PAYMENT_GATEWAY": os.environ.get(
        "MOTCUA_PAYMENT_GATEWAY", "" if ENVIRONMENT == "production" else "local"
    ),
    "VNPAY_TMN_CODE": os.environ.get("MOTCUA_VNPAY_TMN_CODE", ""),
    "VNPAY_HASH_SECRET": os.environ.get("MOTCUA_VNPAY_HASH_SECRET", ""),
    "VNPAY_URL": os.environ.get(
        "MOTCUA_VNPAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    ),
    # Wrong public lookups a client address may make per minute (against guessing codes).
    "LOOKUP_PER_MINUTE": int(os.environ.get("MOTCUA_LOOKUP_PER_MINUTE", "20")),
    # Wrong phone digits one dossier code (or feedback) may receive per hour from anywhere:
    # then it answers nobody until the hour is over (10,000 combinations stay out of reach).
    "GUESSES_PER_SUBJECT_PER_HOUR": int(os.environ.get("MOTCUA_GUESSES_PER_SUBJECT", "10")),
    # Sign-in lockout: wrong passwords (or second-factor codes) for one account from one
    # address, then from anywhere, before the account is refused for LOCKOUT_MINUTES.
    "LOCKOUT_PER_ADDRESS": int(os.environ.get("MOTCUA_LOCKOUT_PER_ADDRESS", "5")),
    "LOCKOUT_PER_ACCOUNT": int(os.environ.get("MOTCUA_LOCKOUT_PER_ACCOUNT", "20")),
    "LOCKOUT_MINUTES": int(os.environ.get("MOTCUA_LOCKOUT_MINUTES", "15")),
    # Lookups (searches and dossiers opened) one hotline operator may make per hour: enough
    # for a busy desk, too few to copy the province's dossiers through it.
    "HOTLINE_LOOKUPS_PER_HOUR": int(os.environ.get("MOTCUA_HOTLINE_LOOKUPS_PER_HOUR", "120")),
    # Lookup links the hotline may send about one dossier per hour (the applicant is not spammed).
    "HOTLINE_LINKS_PER_HOUR": int(os.environ.get("MOTCUA_HOTLINE_LINKS_PER_HOUR", "3")),
    # Feedback messages one address may send per hour (against floods).
    "FEEDBACK_PER_HOUR": int(os.environ.get("MOTCUA_FEEDBACK_PER_HOUR", "10")),
    # Citizen accounts with a phone number or e-mail and a password. A province that signs
    # citizens in only through the national identity provider turns them off.
    "LOCAL_ACCOUNTS": env_bool("MOTCUA_LOCAL_ACCOUNTS", True),
    # The name on the button of the OpenID Connect provider (below), e.g. "VNeID".
    "OIDC_NAME": os.environ.get("MOTCUA_OIDC_NAME", "VNeID"),
    # How long personal data is kept (manage.py apply_retention). No period below was
    # confirmed from a regulation: the storage period of a finished dossier depends on the
    # procedure in the archive list, so 0 (never anonymize) until the province sets it.
    "RETENTION": {
        "ACCESS_YEARS": int(os.environ.get("MOTCUA_RETENTION_ACCESS_YEARS", "5")),
        "DOSSIER_YEARS": int(os.environ.get("MOTCUA_RETENTION_DOSSIER_YEARS", "0")),
        "DRAFT_DAYS": int(os.environ.get("MOTCUA_RETENTION_DRAFT_DAYS", "180")),
        "FEEDBACK_YEARS": int(os.environ.get("MOTCUA_RETENTION_FEEDBACK_YEARS", "0")),
    },
    # --- notifications (motcua.notify; the providers' keys: docs/operations.md) ---
    # Off: nothing is queued (a bulk import, a migration weekend); on by default.
    "NOTIFY_ENABLED": env_bool("MOTCUA_NOTIFY_ENABLED", True),
    # Attempts before a message that keeps failing for a passing reason is given up.
    "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("MOTCUA_NOTIFY_MAX_ATTEMPTS", "6")),
    # How long a send may take before another worker may send the message again.
    "NOTIFY_SEND_LEASE_SECONDS": int(os.environ.get("MOTCUA_NOTIFY_SEND_LEASE", "60")),
    # Ask eSMS for delivery receipts (its CallbackUrl, under MOTCUA_PUBLIC_URL).
    "SMS_RECEIPTS": env_bool("MOTCUA_SMS_RECEIPTS", True),
    # Lookup by SMS: "<keyword> <code>" to the province's short number; words that stop it.
    "NOTIFY_SMS_KEYWORD": os.environ.get("MOTCUA_SMS_KEYWORD", "TRACUU"),
    "NOTIFY_SMS_SHORT_NUMBER": os.environ.get("MOTCUA_SMS_SHORT_NUMBER", ""),
    "NOTIFY_STOP_WORDS": os.environ.get("MOTCUA_STOP_WORDS", "TC HUY"),
    # Inbound messages answered per number and day (SMS and Zalo each).
    "NOTIFY_INBOUND_PER_DAY": int(os.environ.get("MOTCUA_INBOUND_PER_DAY", "20")),
    # Lookups (web, API, SMS, Zalo, hotline) are counted in memory and written at most this
    # many seconds later (motcua.notify.tally); 0 writes each at once.
    # Uploads to the public verification page (/xac-thuc/) per client address and minute.
    "VERIFY_PER_MINUTE": int(os.environ.get("MOTCUA_VERIFY_PER_MINUTE", "30")),
    "LOOKUP_TALLY_FLUSH_SECONDS": float(os.environ.get("MOTCUA_LOOKUP_TALLY_FLUSH_SECONDS", "10")),
}

# Which adapter sends each kind of message: "local" (records only: development and tests),
# or the provider's ("esms" or "speedsms" for SMS, "zalo" for ZNS and OA replies, "django"
# for e-mail through EMAIL_BACKEND).
MOTCUA_NOTIFY = {
    "sms": os.environ.get("MOTCUA_SMS_GATEWAY", "local"),
    "zns": os.environ.get("MOTCUA_ZNS", "local"),
    "zalo_oa": os.environ.get("MOTCUA_ZALO_OA", "local"),
    "email": os.environ.get("MOTCUA_EMAIL_CHANNEL", "django"),
}

# Citizens' sign-in through a national identity provider (VNeID, the national portal's single
# sign-on) over OpenID Connect: set these and the sign-in page offers it. Nothing else changes.
OIDC_RP_CLIENT_ID = os.environ.get("MOTCUA_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("MOTCUA_OIDC_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.environ.get("MOTCUA_OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("MOTCUA_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("MOTCUA_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("MOTCUA_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("MOTCUA_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("MOTCUA_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("MOTCUA_OIDC_SCOPES", "openid profile email phone")
# The claim that carries the personal identification number (số định danh cá nhân).
OIDC_ID_NUMBER_CLAIM = os.environ.get("MOTCUA_OIDC_ID_NUMBER_CLAIM", "citizen_id")
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = False
LOGIN_REDIRECT_URL_FAILURE = "/tai-khoan/dang-nhap/?loi=dinh-danh"
# The lockout backend comes first: it refuses a locked account before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "motcua.core.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("motcua.portal.identity.CitizenOIDCBackend")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "motcua")

# --- digital signatures (motcua.signing; docs/operations.md "Digital signatures") ---
MOTCUA_SIGNING = {
    # Certificates (PEM or DER files, comma-separated) that a signature must chain to: the
    # national root CA of Vietnam, the Government's specialised root. Empty in development:
    # the root of the demo PKI (`manage.py signing_dev_pki`).
    "TRUST_ROOTS": env_list("MOTCUA_SIGNING_TRUST_ROOTS"),
    # Intermediate CA certificates and CRLs kept on disk: offline revocation data.
    "EXTRA_CERTS": env_list("MOTCUA_SIGNING_EXTRA_CERTS"),
    "CRLS": env_list("MOTCUA_SIGNING_CRLS"),
    # The RFC 3161 timestamp authority (http or https). Empty in development: a timestamper in
    # the process signs with the demo PKI's TSA certificate; production refuses to sign then.
    "TSA_URL": os.environ.get("MOTCUA_SIGNING_TSA_URL", ""),
    "TSA_USERNAME": os.environ.get("MOTCUA_SIGNING_TSA_USERNAME", ""),
    "TSA_PASSWORD": os.environ.get("MOTCUA_SIGNING_TSA_PASSWORD", ""),
    # PAdES baseline level of motcua's signatures: B-T, B-LT (validation data embedded) or
    # B-LTA (and a document timestamp).
    "LEVEL": os.environ.get("MOTCUA_SIGNING_LEVEL", "B-LT"),
    # Relative key paths of signing identities (PKCS#12 files, passphrase files) start here.
    "KEY_DIR": os.environ.get("MOTCUA_SIGNING_KEY_DIR", str(VAR_DIR / "pki")),
    # The demo PKI (development only; never committed: var/ is ignored).
    "DEV_PKI_DIR": os.environ.get("MOTCUA_SIGNING_DEV_PKI_DIR", str(VAR_DIR / "pki")),
    # B-LT signing may fetch the signer's OCSP/CRL from its CA; validating an upload never does.
    "FETCH_REVOCATION": env_bool("MOTCUA_SIGNING_FETCH_REVOCATION", ENVIRONMENT == "production"),
    # A font with Vietnamese glyphs for the visible stamp.
    "FONT": os.environ.get(
        "MOTCUA_SIGNING_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    ),
    # Remote signing (CSC API v2): the service and the variable holding its access token, for
    # identities that name none; how long the signer has to approve on the phone.
    "CSC_URL": os.environ.get("MOTCUA_SIGNING_CSC_URL", ""),
    "CSC_TOKEN_ENV": os.environ.get("MOTCUA_SIGNING_CSC_TOKEN_ENV", "MOTCUA_SIGNING_CSC_TOKEN"),
    "CSC_APPROVAL_SECONDS": int(os.environ.get("MOTCUA_SIGNING_CSC_APPROVAL_SECONDS", "120")),
    "CSC_POLL_SECONDS": float(os.environ.get("MOTCUA_SIGNING_CSC_POLL_SECONDS", "2")),
    # PKCS#11 module of identities that name none (e.g. the token vendor's .so).
    "PKCS11_MODULE": os.environ.get("MOTCUA_SIGNING_PKCS11_MODULE", ""),
    # Checking uploads: the largest file, signatures and seconds spent on one file.
    "VALIDATE_MAX_MB": int(os.environ.get("MOTCUA_SIGNING_VALIDATE_MAX_MB", "50")),
    "VALIDATE_MAX_SIGNATURES": int(os.environ.get("MOTCUA_SIGNING_VALIDATE_MAX_SIGNATURES", "20")),
    "VALIDATE_SECONDS": float(os.environ.get("MOTCUA_SIGNING_VALIDATE_SECONDS", "10")),
}
