"""The one settings module. Everything that differs between a laptop demo and
production comes from environment variables; the defaults are safe for a demo.

Every variable is read through :mod:`tongxiang_liaison.envvars` (``env_str``,
``env_int``, ``env_bool``, ``env_list``, ``env_float``, ``env_choice``,
``env_month_day``): unset or empty gives the
default below; a value that is not of the variable's type (``EMAIL_PORT=abc``,
``DEBUG=maybe``) stops the start with a message naming the variable and value.
Booleans are ``1/true/yes/on`` or ``0/false/no/off``; lists are comma-separated.

Variables (all optional unless noted):

- ``DEBUG``: ``1`` for the laptop demo. Off by default.
- ``SECRET_KEY``: required when ``DEBUG`` is off; the app refuses to start without it.
- ``ALLOWED_HOSTS``: comma-separated, default ``localhost,127.0.0.1``.
- ``DATABASE_URL``: default a SQLite file ``db.sqlite3`` beside ``manage.py``;
  production and CI use ``postgres://user@host:5432/name``.
- ``CELERY_BROKER_URL``: unset, tasks run eagerly in-process; set (``redis://…``),
  tasks go to a Celery worker. ``CELERY_RESULT_BACKEND`` defaults to the broker.
- ``EMAIL_BACKEND``, ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
  ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``EMAIL_USE_SSL``, ``DEFAULT_FROM_EMAIL``.
- ``MEDIA_ROOT``, ``STATIC_ROOT``: where uploaded/generated files and collected
  static files live.
- ``CAMPAIGN_FIRST_VISIT_DEADLINE``: ``MM-DD`` of the first-visit deadline (R8), default ``04-15``.
- ``FIRST_VISIT_DAYS_AFTER_START``: calendar days a pairing begun on or after that
  deadline has for its first visit (``visits.first_visit``), default ``30``.
- ``DOUBLING_ABOVE_SIZE_THRESHOLD`` (2000), ``DOUBLING_BILLION_THRESHOLD`` (10000),
  ``DOUBLING_ABOVE_SIZE_CANDIDATE_FLOOR`` (1500), ``DOUBLING_BILLION_CANDIDATE_FLOOR``
  (8000), in 万元; ``DOUBLING_CERTIFICATE_WARNING_DAYS`` (183): the six-doubling rules (R17).
- ``LIAISON_OFFICE_PHONE``: the liaison office's phone printed on the enterprises'
  service cards; default a demo value, ``0573-00000000（演示号码）``.
- ``CONFIRMATION_WORKING_DAYS``: working days an enterprise has to rate a
  resolution of its problem before it is recorded as 默认满意, default ``5``.
- ``ENTERPRISE_PORTAL_URL``: the enterprise portal's origin as the internet sees it
  (``https://qiye.example.gov.cn``), which the service cards' QR codes point to
  (``…/qiye/login/?c=<credit code>``); unset: the address the card is printed from.
- The enterprise pages (``/qiye/``, ``tongxiang_liaison.portal``), signed in with a
  one-time code by SMS: ``PORTAL_CODE_TTL_SECONDS`` (300, how long a code is valid),
  ``PORTAL_CODE_ATTEMPTS`` (5 tries per code), ``PORTAL_CODES_PER_MOBILE_PER_HOUR`` (5),
  ``PORTAL_CODES_PER_ADDRESS_PER_HOUR`` (20), ``PORTAL_TRIES_PER_ADDRESS_PER_HOUR`` (30 failed
  tries of codes from one address, whatever the mobiles), ``PORTAL_SESSION_SECONDS`` (1800, sliding:
  each page moves it on), ``PORTAL_COOKIE_NAME`` (``tx_qiye``, path ``/qiye/``; Secure
  when ``SECURE_COOKIES``, on by default without ``DEBUG``), ``PORTAL_UPLOAD_MAX_MB`` (5).
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tongxiang_liaison.envvars import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_int_list,
    env_list,
    env_month_day,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置：生产环境（DEBUG 关闭）必须设置 SECRET_KEY 环境变量。"
            " / SECRET_KEY is not set: it is required when DEBUG is off."
            " For a laptop demo set DEBUG=1."
        )
    SECRET_KEY = "insecure-laptop-demo-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "tongxiang_liaison.third_party.AxesConfig",  # django-axes under a Chinese name
    "tabular",
    "enterprises",
    "cadres",
    "visits",
    "issues",
    "multiplication",
    "coordination",
    "dashboards",
    "jobs",
    "tongxiang_liaison",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After a write: tell whoever must act next, mark the dashboard's quarter changed.
    "jobs.middleware.AfterWriteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one address, that pair is locked for AXES_COOLOFF_MINUTES.
# Locking the username alone would let anyone lock any colleague out; locking
# the address alone would lock a whole office behind one NAT address. Attempts
# are kept in the database, so every web process and host shares them. Behind
# the reverse proxy (PROXY_COUNT=1) the client's address is the last hop the
# proxy appended to X-Forwarded-For.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "tongxiang_liaison.views.client_ip"
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tongxiang_liaison.views.locked_out"
AXES_VERBOSE = False

# The change history (django-simple-history) is an audit trail: old versions
# are looked at, never restored over the current row (see cadres.admin.AuditedAdmin).
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "tongxiang_liaison.urls"

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
                "tongxiang_liaison.navigation.navigation",
            ],
            # Rates written one way on every page (tabular.percent).
            "libraries": {"percent": "tabular.percent_tags"},
        },
    },
]

WSGI_APPLICATION = "tongxiang_liaison.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs a dev server and maybe a management command at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first, English available (Django i18n, LocaleMiddleware + set_language).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
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
# Static files are served by the app itself (closed government intranet, no CDN).
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Email: console in the demo, SMTP in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))  # for the file-based backend
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "市联络办 <lianluoban@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: eager without a broker so the laptop demo needs no Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task (OOM, kill -9, a host lost) gives its task back to
# the queue rather than marking it failed: every task is safe to run again.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# How long Redis keeps a task taken by a worker that vanished before handing
# it to another; longer than the longest task (CELERY_TASK_TIME_LIMIT).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
# Reminder rows a dead worker left "sending" are sent again after this long.
STALE_SENDING_MINUTES = env_int("STALE_SENDING_MINUTES", 15)
# A change to a quarter's figures is recounted this many seconds later, the
# writes of that time together (at once in the eager laptop demo).
DASHBOARD_RECOUNT_DELAY_SECONDS = env_int("DASHBOARD_RECOUNT_DELAY_SECONDS", 60)
# A quarter closes this many working days after its last day (issue 16): its
# figures are frozen as published (cadres.closing, the job jobs.close_quarters).
QUARTER_CLOSE_WORKING_DAYS = env_int("QUARTER_CLOSE_WORKING_DAYS", 15)
# An enterprise asked whether a resolution solved its problem has this many
# working days to answer; then it is deemed satisfied (issue 17.5, the job
# jobs.deem_confirmations).
CONFIRMATION_WORKING_DAYS = env_int("CONFIRMATION_WORKING_DAYS", 5)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1800)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 1700)
# django-celery-beat's scheduler (times set in the admin) that keeps a run the
# broker refuses and sends it when Redis is back (jobs.beat).
CELERY_BEAT_SCHEDULER = "jobs.beat:Scheduler"

# Visit reminders (R7, R8): days before the quarter's last day at which cadres
# are reminded of unvisited pairings; the overdue stage runs after the quarter
# ends, for OVERDUE_REMINDER_WINDOW_DAYS; the first-visit stage (R8) runs this
# many days before the first-visit deadline.
VISIT_REMINDER_DAYS_BEFORE = {"d30": 30, "d7": 7}
OVERDUE_REMINDER_WINDOW_DAYS = env_int("OVERDUE_REMINDER_WINDOW_DAYS", 15)
FIRST_VISIT_REMINDER_DAYS_BEFORE = env_int("FIRST_VISIT_REMINDER_DAYS_BEFORE", 14)
# Where the liaison office's digests go besides its staff's in-app notices.
LIAISON_OFFICE_EMAIL = env_str("LIAISON_OFFICE_EMAIL", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The enterprises' service cards (tongxiang_liaison.cards): the office's phone
# printed on every card (the default is a demo number), and the enterprise
# portal's origin as the internet sees it, which the cards' QR codes point to
# (unset: the address the card was printed from).
LIAISON_OFFICE_PHONE = env_str("LIAISON_OFFICE_PHONE", "0573-00000000（演示号码）")
ENTERPRISE_PORTAL_URL = env_str("ENTERPRISE_PORTAL_URL", "")
# The enterprise pages' sign-in (enterprises.signin) and cookie (portal.auth).
PORTAL_CODE_TTL_SECONDS = env_int("PORTAL_CODE_TTL_SECONDS", 300)
PORTAL_CODE_ATTEMPTS = env_int("PORTAL_CODE_ATTEMPTS", 5)
PORTAL_CODES_PER_MOBILE_PER_HOUR = env_int("PORTAL_CODES_PER_MOBILE_PER_HOUR", 5)
PORTAL_CODES_PER_ADDRESS_PER_HOUR = env_int("PORTAL_CODES_PER_ADDRESS_PER_HOUR", 20)
PORTAL_TRIES_PER_ADDRESS_PER_HOUR = env_int("PORTAL_TRIES_PER_ADDRESS_PER_HOUR", 30)
PORTAL_SESSION_SECONDS = env_int("PORTAL_SESSION_SECONDS", 1800)
PORTAL_COOKIE_NAME = env_str("PORTAL_COOKIE_NAME", "tx_qiye")
PORTAL_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
PORTAL_UPLOAD_MAX_MB = env_int("PORTAL_UPLOAD_MAX_MB", 5)

# Channels (jobs.channels, README "Channels"): the chain a person's messages
# go by when they have chosen none (接收渠道 in the admin); how long a failing
# channel waits before each retry, after which the next channel of the chain
# is tried; the group robots' rate (DingTalk and WeCom allow about 20 a
# minute each) and timeout; a proxy for the robots' and the SMS gateway's
# HTTPS calls (none: direct).
REMINDER_CHANNELS = env_list("REMINDER_CHANNELS", ["email"])
CHANNEL_RETRY_SECONDS = env_int_list("CHANNEL_RETRY_SECONDS", [60, 300, 900])
ROBOT_MESSAGES_PER_MINUTE = env_int("ROBOT_MESSAGES_PER_MINUTE", 20)
ROBOT_TIMEOUT_SECONDS = env_float("ROBOT_TIMEOUT_SECONDS", 5.0)
MESSAGING_PROXY = env_str("MESSAGING_PROXY", "")
# Sending marks each message in its own tiny transactions; on PostgreSQL they
# are committed without waiting for the disk unless this is on (jobs.delivery).
DELIVERY_SYNCHRONOUS_COMMIT = env_bool("DELIVERY_SYNCHRONOUS_COMMIT", False)
# The robots' webhooks and signing secrets are kept encrypted (Fernet,
# jobs.secrets) with the first of these keys; the others still decrypt
# (rotation). Unset: a key derived from SECRET_KEY, enough for the laptop demo.
SECRETS_KEYS = env_list("SECRETS_KEYS", [])
# SMS (jobs.sms): console (prints, the demo), file (JSON lines), http
# (the site's gateway), memory (tests), or the dotted path of a backend class.
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(BASE_DIR / "sent-sms.log"))
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT_SECONDS = env_float("SMS_HTTP_TIMEOUT_SECONDS", 5.0)
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "桐乡市联络办")
SMS_RETRIES = env_int("SMS_RETRIES", 2)
SMS_RETRY_BACKOFF_SECONDS = env_float("SMS_RETRY_BACKOFF_SECONDS", 1.0)
SMS_MAX_CHARS = env_int("SMS_MAX_CHARS", 300)
if SMS_BACKEND == "http" and not SMS_HTTP_URL:
    raise ImproperlyConfigured(
        "SMS_BACKEND=http 需要 SMS_HTTP_URL（短信网关地址）。 / SMS_BACKEND=http needs SMS_HTTP_URL."
    )

# django-import-export: our formats neutralise formula injection; the uploaded
# file waits between preview and confirm in media storage, not a process-local
# temp dir, so two web processes can share an import.
IMPORT_EXPORT_FORMATS = ["tabular.formats.SafeXLSX", "tabular.formats.SafeCSV"]
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = False
# Blank lines are skipped by our importer itself, so row numbers stay those of the sheet.
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = False
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
# The largest spreadsheet an import accepts (a city's enterprise register is ~5 MB).
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 20)
# Bounds checked while a file streams (tabular.limits): data rows per file, and
# what an xlsx may unpack to (a 5,000-row register unpacks to about 3 MB).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100000)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 200)

# Campaign rules that the office may tune (R5, R8).
CAMPAIGN_FIRST_VISIT_DEADLINE = env_month_day("CAMPAIGN_FIRST_VISIT_DEADLINE", "04-15")
# A pairing begun on or after that deadline has this many calendar days (visits.first_visit).
FIRST_VISIT_DAYS_AFTER_START = env_int("FIRST_VISIT_DAYS_AFTER_START", 30)
# A compliance-page warning horizon for pairings whose 3-year term ends (R5).
PAIRING_RENEWAL_WARNING_DAYS = env_int("PAIRING_RENEWAL_WARNING_DAYS", 90)

if not DEBUG:
    # Production is served over HTTPS behind a reverse proxy that sets
    # X-Forwarded-Proto (README, "Production"): secure cookies and HSTS by
    # default; the redirect to HTTPS where the proxy does not do it already.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", LOG_LEVELS)},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Six-doubling registry (R17), in 万元 of annual main-business revenue: the
# thresholds of 规上 and 亿元 enterprises, the bottom of the band where the
# office looks for candidates, and how many days ahead an expiring high-tech
# certificate is flagged.
DOUBLING_REVENUE_THRESHOLDS = {
    "above_size": env_int("DOUBLING_ABOVE_SIZE_THRESHOLD", 2000),
    "billion": env_int("DOUBLING_BILLION_THRESHOLD", 10000),
}
DOUBLING_CANDIDATE_FLOORS = {
    "above_size": env_int("DOUBLING_ABOVE_SIZE_CANDIDATE_FLOOR", 1500),
    "billion": env_int("DOUBLING_BILLION_CANDIDATE_FLOOR", 8000),
}
DOUBLING_CERTIFICATE_WARNING_DAYS = env_int("DOUBLING_CERTIFICATE_WARNING_DAYS", 183)

# R2: coordinators who have not held the quarter's situation-analysis meeting
# are reminded from this many days before the quarter ends.
MEETING_REMINDER_DAYS_BEFORE = env_int("MEETING_REMINDER_DAYS_BEFORE", 15)

# Referral slips (R13): default time limit in working days per problem category
# (R11), editable on each slip.
REFERRAL_WORKING_DAYS = {
    "default": 10,
    "labour": 10,
    "environment": 15,
    "funding": 10,
    "technology": 15,
    "talent": 10,
    "market": 10,
    "upgrading": 20,
    "other": 10,
}
# Referral slips due within this many working days show as "due soon".
REFERRAL_DUE_SOON_WORKING_DAYS = 3
