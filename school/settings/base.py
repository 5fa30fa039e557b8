"""Settings shared by every environment. Environment-specific files import from here.

Everything that differs between machines comes from environment variables; the README
lists each one.
"""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GRIDSCHOOL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "school.apps.SchoolConfig",
    "courses.apps.CoursesConfig",
    "certificates",
    "volunteers",
    "api",
    "dashboards",
    "operations",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "school.apps.SchoolUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_q",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A request id on every log line of a request (school.logging).
    "school.logging.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy and Permissions-Policy (school.middleware): below
    # WhiteNoise, so pages get them and static files are served without the work.
    "school.middleware.ContentSecurityPolicyMiddleware",
    "school.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The admin in the school's language whatever the browser asks (school.admin_language).
    "school.admin_language.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A URL id past the database's integers is a 404, never a crash (school.ids).
    "school.ids.OutOfRangeIdMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so that it sees the authenticated user and can lock out brute force.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "school.urls"
WSGI_APPLICATION = "school.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "volunteers.context_processors.volunteer_links",
                "school.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite is the embedded default, tuned so that concurrent writers queue up
# behind one another instead of failing with "database is locked". PostgreSQL when
# DATABASE_URL is set.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", VAR_DIR / "db.sqlite3"))
SQLITE_OPTIONS = {
    # BEGIN IMMEDIATE takes the write lock at the start of every transaction, so two
    # transactions never both read and then both try to upgrade to a write.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=30000;"
        "PRAGMA foreign_keys=ON;"
    ),
}

if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "school.User"
AUTHENTICATION_BACKENDS = [
    # The limits per phone and per address, then axes' per phone-and-address lock:
    # both refuse a locked-out client before a password is checked.
    "school.backends.LoginLimitsBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id first (school.hashers): as strong as PBKDF2 at a tenth of its CPU time per
# login. PBKDF2 stays listed so existing hashes still verify; they are re-hashed on login.
PASSWORD_HASHERS = [
    "school.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Django's default looks at username/first/last name, which our User lacks.
        "OPTIONS": {"user_attributes": ["phone", "real_name", "email"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "school.passwords.MaximumLengthValidator"},
]
LOGIN_URL = "accounts:login"
# After logging in, signing up or activating: 我的学习 (unless a safe `next` says
# which page sent the person to log in).
LOGIN_REDIRECT_URL = "courses:dashboard"
LOGOUT_REDIRECT_URL = "/"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one phone number
# from one address, that pair is locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And across pairs (school.backends): failures of one phone number from any address,
# and of one address over any phone numbers, per cool-off window.
LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "20"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of the web processes, trusted to set X-Forwarded-For.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "school.addresses.client_ip"
AXES_VERBOSE = False

# Internationalisation: Chinese first, English second. Source strings are Chinese.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# locale/wagtail: Chinese for Wagtail admin strings its own zh_Hans catalogue lacks.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "wagtail"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_root"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end libraries from npm (package.json; `make install` runs `npm ci`),
    # served as our own files: the camera QR reader of the check-in scan page.
    ("vendor/jsqr", BASE_DIR / "node_modules" / "jsqr" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),  # dashboards
]
# Where manage.py backup_database writes (operations.backups; docs/deployment.md).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Certificate PDFs and bulk ZIPs are never served as media: only through views
# that check who is asking. Several web and worker hosts share this directory.
PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private-media")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email: the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Seconds before giving up on the mail server (a job retries later).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "网格学校 <noreply@localhost>"
)

# Background work: django-q2. The ORM broker keeps jobs in the database; Redis when
# REDIS_URL is set. retry must exceed timeout, and timeout the longest task, or a
# slow job would be handed to a second worker while the first still runs it.
Q_TIMEOUT = int(os.environ.get("Q_TIMEOUT", "300"))
# The channels every notification goes through (school.notifications.Channel
# subclasses, dotted paths): the 消息中心 row and e-mail. An SMS or WeChat channel is
# one class and one line here.
NOTIFICATION_CHANNELS = [
    "school.notifications.InAppChannel",
    "school.notifications.EmailChannel",
]

Q_CLUSTER = {
    "name": "gridschool",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": Q_TIMEOUT,
    "retry": Q_TIMEOUT + 60,
    "max_attempts": 3,
    "queue_limit": 50,
    "bulk": 10,
    "catch_up": False,
    "label": _("后台任务"),
}
if os.environ.get("REDIS_URL"):
    Q_CLUSTER["redis"] = os.environ["REDIS_URL"]
else:
    Q_CLUSTER["orm"] = "default"

# The cache is shared by every web process and worker (the Sites and schools of
# school.routing and school.selectors, rate limits): Redis when REDIS_URL is set,
# else files under VAR_DIR/cache, which the processes of one host share. A
# process-local cache would give each gunicorn worker its own answers.
CACHE_DIR = VAR_DIR / "cache"
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_DIR,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    )
}

# Wagtail
WAGTAIL_SITE_NAME = "网格学校 · 志愿者培训学院"
# The public address: links in e-mails, the verification URL in certificates' QR and
# Open Badges ids. Worked out here and nowhere else, so that a PDF rendered by a job
# or from a shell points at the same server as the web process: SITE_URL, else the
# local server on PORT (as `make run` serves), else port 8000.
SITE_URL = (
    os.environ.get("SITE_URL", "").strip().rstrip("/")
    or f"http://127.0.0.1:{int(os.environ.get('PORT') or 8000)}"
)
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_USER_LOGIN_FORM = "school.forms.AdminLoginForm"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAIL_PASSWORD_RESET_ENABLED = True
# Wagtail's autosave is off. On the create view it saves a draft page (a real page in
# the tree) half a second after the first keystroke, before the author chose to save;
# on the edit view it overwrites the author's own draft revision in place, and a tab
# left open elsewhere turns the author's next manual save into "a newer version
# exists". An instructor lost an edit this way. With 0, a page and a revision exist
# only when the author presses 保存草稿 / 提交审核 / 发布.
WAGTAIL_AUTOSAVE_INTERVAL = 0

# Secrets at rest (signing keys, activation codes) are encrypted under these keys,
# comma-separated, the first encrypting and all decrypting (school.encryption);
# unset, a key derived from SECRET_KEY (check --deploy warns in production).
GRIDSCHOOL_ENCRYPTION_KEYS = env_list("GRIDSCHOOL_ENCRYPTION_KEYS")
# Days an imported person's activation code stays valid.
GRIDSCHOOL_ACTIVATION_CODE_DAYS = int(
    os.environ.get("GRIDSCHOOL_ACTIVATION_CODE_DAYS", "30")
)

# The version of the 个人信息保护说明 (templates/accounts/privacy_notice.html) that
# sign-up and activation ask people to accept; recorded on the account with the
# time. Change it whenever the notice's substance changes.
GRIDSCHOOL_PRIVACY_NOTICE_VERSION = "2026-12-01"

# Certificates need a CJK font and HarfBuzz-subset (see certificates/checks.py).
GRIDSCHOOL_REQUIRE_PDF_FONTS = env_bool("GRIDSCHOOL_REQUIRE_PDF_FONTS", True)

# Security headers, in every environment (production adds HSTS and secure cookies).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A page we open in a new tab (a video site) cannot reach back into ours.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No one frames our pages; Wagtail's preview views override this with SAMEORIGIN
# for the admin's preview panel, and school.middleware mirrors that in the CSP.
X_FRAME_OPTIONS = "DENY"
# Browser features our pages may use: the camera, for scanning QR codes on a phone
# page; everything else that touches the person or their devices is off, for our
# pages and for any frame in them.
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "accelerometer": [],
    "browsing-topics": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
# Video players a lesson may frame (VideoBlock's embed is the video site's <iframe>,
# whose scripts run in that frame, not in our page). Wagtail's oEmbed finder only
# gives frames from the providers it knows; a host added here needs a finder too.
VIDEO_EMBED_HOSTS = [
    "https://www.youtube.com",
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
]
# Content-Security-Policy (django-csp, through school.middleware): what a page may
# load and run. Nothing comes from a CDN: every script, style, font and image is
# served by us (DESIGN: front-end libraries are collected into static files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        # Whatever is not named below: this origin only.
        "default-src": [SELF],
        # Our scripts are files under /static/. A template that must keep an inline
        # script gives it nonce="{{ request.csp_nonce }}"; no other inline script,
        # on*="" attribute or javascript: URL runs, so injected markup cannot.
        "script-src": [SELF, NONCE],
        # Stylesheets only, no style="" attributes nor <style> blocks.
        "style-src": [SELF],
        # data: for small images written into CSS or markup, blob: for the preview
        # of a picture chosen for upload before it is sent.
        "img-src": [SELF, "data:", "blob:"],
        "frame-src": [SELF, *VIDEO_EMBED_HOSTS],
        # No plugins (<object>, <embed>).
        "object-src": [NONE],
        # No <base> may redirect our relative URLs elsewhere.
        "base-uri": [NONE],
        # Forms post to us only, so injected markup cannot send a password away.
        "form-action": [SELF],
        # Like X-Frame-Options: DENY; 'self' where the admin previews (middleware).
        "frame-ancestors": [NONE],
    },
}
# The Wagtail admin (under /admin/) needs more: Wagtail 8's templates still write
# inline scripts (date pickers, inline panels, the chooser modals' responses) and
# style="" attributes, so both allow 'unsafe-inline' there, without a nonce, which
# would switch 'unsafe-inline' off. Only signed-in editors reach those pages; a page
# preview in the admin keeps the page's own policy above.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
    },
}
# The admin would otherwise load avatars from Gravatar and ask Wagtail's servers
# for new releases: outside requests the policy refuses (and unreachable here).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
    },
}
VOLUNTEER_POINTS_EXPIRE_MONTHS = int(
    os.environ.get("VOLUNTEER_POINTS_EXPIRE_MONTHS") or 0
)
