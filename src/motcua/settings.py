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
DEBUG = env_bool("DEBUG", False)

if ENVIRONMENT == "production":
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "MOTCUA_ENV=production needs SECRET_KEY set to a random value of 32+ characters."
        )
    if DEBUG:
        raise ImproperlyConfigured("MOTCUA_ENV=production refuses DEBUG=true.")

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
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process on the host (gunicorn workers, the task worker): rate-limit
# counters and rendered public pages must be the same for all of them. Files need no server;
# several hosts would point MOTCUA_CACHE_DIR at a shared directory.
CACHE_DIR = Path(os.environ.get("MOTCUA_CACHE_DIR", VAR_DIR / "cache"))
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

STORAGES = {
    "default": {
        "BACKEND": os.environ.get("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
    },
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

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", ENVIRONMENT == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

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
        "BACKEND": os.environ.get("MOTCUA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- motcua's own settings (a province may change each) ---
MOTCUA = {
    "PROVINCE_NAME": os.environ.get("MOTCUA_PROVINCE_NAME", ""),
    # Staff must confirm a TOTP code after their password.
    "REQUIRE_2FA": env_bool("MOTCUA_REQUIRE_2FA", False),
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
    # Feedback messages one address may send per hour (against floods).
    "FEEDBACK_PER_HOUR": int(os.environ.get("MOTCUA_FEEDBACK_PER_HOUR", "10")),
    # Citizen accounts with a phone number or e-mail and a password. A province that signs
    # citizens in only through the national identity provider turns them off.
    "LOCAL_ACCOUNTS": env_bool("MOTCUA_LOCAL_ACCOUNTS", True),
    # The name on the button of the OpenID Connect provider (below), e.g. "VNeID".
    "OIDC_NAME": os.environ.get("MOTCUA_OIDC_NAME", "VNeID"),
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
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("motcua.portal.identity.CitizenOIDCBackend")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "motcua")
