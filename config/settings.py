"""gonghui settings: everything that differs between machines comes from the environment.

Development needs nothing set: SQLite under var/, DEBUG on, throwaway keys. Production sets
DEBUG=0 and must then provide SECRET_KEY, ALLOWED_HOSTS and the personal-data keys (PII_*).
"""

import os
from base64 import b64encode
from hashlib import sha256
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static

from gonghui.common import pii


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", True)
_DEV_ONLY = "dev-only-insecure-"
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_ONLY + "0" * 50 if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("生产环境必须设置 SECRET_KEY 环境变量。")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "gonghui.common.views.csrf_failure"  # in Chinese, not Django's page

# Personal-data keys (used by the member database; gonghui/common/pii.py explains the crypto). Never stored in
# the database; `gonghui gen-pii-keys` prints fresh ones.
#   PII_ENCRYPTION_KEYS="2:<base64 32 bytes>,1:<base64 32 bytes>"  version:key, newest (current) first, versions
#                       strictly decreasing; old keys stay listed until their tokens are re-encrypted.
#   PII_INDEX_KEY="<base64 32 bytes>"  the blind-index key, apart from the encryption keys.
#   PII_CIPHER="SM4-GCM" (default) or "AES-256-GCM".
PII_ENCRYPTION_KEYS = env_list("PII_ENCRYPTION_KEYS", "")
PII_INDEX_KEY = os.environ.get("PII_INDEX_KEY", "")
PII_CIPHER = os.environ.get("PII_CIPHER", "SM4-GCM")
if not DEBUG and (not PII_ENCRYPTION_KEYS or not PII_INDEX_KEY):
    raise ImproperlyConfigured("生产环境必须设置 PII_ENCRYPTION_KEYS 与 PII_INDEX_KEY 环境变量。")
if DEBUG and not PII_ENCRYPTION_KEYS and not PII_INDEX_KEY:
    # INSECURE, development only: fixed keys derived from public strings, so `make run` and the tests work
    # without setup. Anyone with this source can read data encrypted under them; DEBUG=0 never uses them.
    PII_ENCRYPTION_KEYS = ["1:" + b64encode(sha256(b"dev-only-insecure-pii-encryption").digest()).decode()]
    PII_INDEX_KEY = b64encode(sha256(b"dev-only-insecure-pii-index").digest()).decode()
pii.validate_settings(encryption_keys=PII_ENCRYPTION_KEYS, index_key=PII_INDEX_KEY, cipher=PII_CIPHER)

# `gonghui demo` loads accounts with published passwords: allowed in development only, unless asked.
ALLOW_DEMO = env_bool("GONGHUI_ALLOW_DEMO", DEBUG)

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gonghui.common",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.members",
    "gonghui.notifications",
    "gonghui.portal",
    "gonghui.hall",
    "gonghui.hardship",
    "gonghui.ledger",
    "gonghui.mutualaid",
    "gonghui.stats",
    "gonghui.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gonghui.common.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Chinese 404/500 pages also under DEBUG (in place of Django's English technical pages).
    "gonghui.common.middleware.ChineseErrorPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the session timeout middleware, which tells the user why they were logged out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gonghui.accounts.middleware.SessionTimeoutMiddleware",
    "gonghui.accounts.middleware.TwoFactorRequiredMiddleware",
    "gonghui.accounts.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "admin:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保 2.0 level 3 compatible defaults; the numbers are configurable.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "gonghui.accounts.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
]

# Accounts not used for this many days are disabled by `gonghui disable-idle-accounts` (run daily).
ACCOUNT_IDLE_DAYS = env_int("ACCOUNT_IDLE_DAYS", 90)

# Sessions: idle and absolute timeouts, enforced server-side by SessionTimeoutMiddleware.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
# Step-up: revealing a full ID number needs a login or a re-entered password this recent (R-AU-4).
REAUTH_SECONDS = env_int("REAUTH_SECONDS", 10 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login lockout (django-axes): N failures for one username lock it for T minutes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 30) / 60
# Lock by username, and by IP for an IP that tries many usernames.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.views.locked_out"
# The client address (lockouts and the audit trail) comes from django-ipware. Behind a reverse proxy,
# set TRUSTED_PROXY_COUNT to the number of proxies in front of gonghui, so X-Forwarded-For is used
# and not the proxy's own address (otherwise every user shares one IP for the lockout).
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if env_int("TRUSTED_PROXY_COUNT", 0) else ("REMOTE_ADDR",)
)
AXES_ENABLE_ADMIN = False

OTP_TOTP_ISSUER = "智慧工会"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # Chinese only, whatever the browser asks for
# Project catalogue: Chinese for django-unfold, which ships none of its own.
LOCALE_PATHS = [BASE_DIR / "gonghui" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "files"  # outside the web root; served only through scoped views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security headers (check --deploy clean when DEBUG is off).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Back office (django-unfold).
UNFOLD = {
    "SITE_TITLE": "智慧工会管理后台",
    "SITE_HEADER": "智慧工会",
    "SITE_SYMBOL": "groups",
    "SHOW_HISTORY": False,
    # Our own CSS (list cells, column widths, pagination): classes only, no inline styles.
    "STYLES": [lambda request: static("common/backoffice.css")],
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "config.sidebar.navigation",
    },
}

# SMS: one-time login codes (gonghui/accounts/sms.py). Development prints them to the console; production
# posts them to the intranet SMS gateway. FileBackend (codes in SMS_FILE_PATH) is for browser tests.
SMS_BACKEND = os.environ.get("SMS_BACKEND") or (
    "gonghui.accounts.sms.ConsoleBackend" if DEBUG else "gonghui.accounts.sms.HttpGatewayBackend"
)
SMS_FILE_PATH = Path(os.environ.get("SMS_FILE_PATH") or VAR_DIR / "sms" / "outbox.jsonl")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", 5))  # seconds, per attempt
SMS_GATEWAY_RETRIES = env_int("SMS_GATEWAY_RETRIES", 2)  # further attempts after a connection error or a 5xx
SMS_SIGN = os.environ.get("SMS_SIGN", "【智慧工会】")  # 短信签名, sent to the gateway beside the text
