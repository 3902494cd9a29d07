"""Settings, read from the environment, with an embedded default.

With no variable set the service runs on one machine: SQLite, Celery tasks in-process, a
local-memory cache and DEBUG on a loopback host. Setting `DATABASE_URL`, `CELERY_BROKER_URL`,
`REDIS_URL`, `SECRET_KEY` and `ALLOWED_HOSTS` switches to production; `manage.py check --deploy`
(see `swap/checks.py`) refuses a production start that still relies on an embedded default, and
production (`DATABASE_URL` set) does not start at all with DEBUG on or a weak `SECRET_KEY`
(`swap/production.py`).
"""

from datetime import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from swap.core.metrics_access import parse_networks
from swap.production import DEFAULT_SECRET_KEY, refuse_incomplete_process, refuse_unsafe_production

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Production is whatever runs on a real database; DEBUG follows unless set explicitly.
USES_EMBEDDED_DATABASE = not env.str("DATABASE_URL", default="")
DEBUG = env.bool("DEBUG", default=USES_EMBEDDED_DATABASE)

# The embedded default's secret is fine on a laptop; production never falls back to it.
SECRET_KEY = env.str("SECRET_KEY", default=DEFAULT_SECRET_KEY if USES_EMBEDDED_DATABASE else "")
if not USES_EMBEDDED_DATABASE:
    refuse_unsafe_production(secret_key=SECRET_KEY, debug=DEBUG)
# A deployed process (each systemd unit sets SWAP_PROCESS, deploy/systemd/) stops at start, with one
# line naming it, when a setting it needs is missing (swap/production.py, PROCESS_REQUIRES).
SWAP_PROCESS = env.str("SWAP_PROCESS", default="")
if SWAP_PROCESS:
    refuse_incomplete_process(SWAP_PROCESS, env.ENVIRON)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API docs viewer (Redoc), pinned and served from our static files
    "swap.apps.SwapConfig",
    "swap.registrations.apps.RegistrationsConfig",
    "swap.chain.apps.ChainConfig",
    "swap.distributions.apps.DistributionsConfig",
    "swap.watchdog.apps.WatchdogConfig",
    "bonuses.apps.BonusesConfig",
    "claims.apps.ClaimsConfig",
    "swap.bundles.apps.BundlesConfig",
    "swap.tallies.apps.TalliesConfig",
    "django_prometheus",
]

MIDDLEWARE = [
    # Outermost, with its twin last: every response, a refusal from any layer too, is counted (/metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Every log line of the request carries its id; the response echoes it (swap/logs.py).
    "swap.logs.RequestIdMiddleware",
    # First, so that under /api/ every error any layer answers leaves in the API's envelope.
    "swap.api.middleware.ApiProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "swap.http.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "swap.urls"
WSGI_APPLICATION = "swap.wsgi.application"

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
                "swap.site.portal",
                "swap.chain.program_end.template_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3"))
if USES_EMBEDDED_DATABASE:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # Threads of the embedded server and in-process tasks share one file: wait, don't fail.
            # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead
            # of failing with "database is locked" when one upgrades a read lock.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
else:
    DATABASES = {"default": env.db("DATABASE_URL")}
    # django-prometheus' wrapper of the same backend counts queries and errors for /metrics.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits live here: Redis in production) -------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="swap"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker means the embedded default: tasks run in the caller's process, errors propagate.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A Redis broker redelivers an unacknowledged task after this many seconds; longer than any task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TIMEZONE = "UTC"
# The watchdog's pass goes to a queue of its own, consumed only by the watchdog's worker
# (`celery -A swap worker -Q watchdog`), so a busy or stuck main worker cannot delay a veto.
CELERY_TASK_ROUTES = {"swap.watchdog.tasks.watch_distributor_task": {"queue": "watchdog"}}

# --- Deployment: the main Celery queues (issue 16; deploy/systemd/, docs/operations.md "Deployment") ---
# Two main workers, so a slow Oxen peer cannot hold up the L2 outbox nor a slow L2 node the snapshots:
# every task that signs, sends or reads the L2 goes to CELERY_L2_QUEUE (consumed by swap-worker-l2, the
# only process given the signer key); the rest (snapshots, deposits, freezing, heartbeat checks) stays
# on Celery's default queue, CELERY_TASK_DEFAULT_QUEUE.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_L2_QUEUE = "l2"
CELERY_TASK_ROUTES.update({
    f"swap.{task}": {"queue": CELERY_L2_QUEUE}
    for task in ("chain.tasks.track_transactions_task", "chain.tasks.sync_program_end_task",
                 "distributions.tasks.publish_round_task",
                 "distributions.tasks.activate_rounds_task", "distributions.tasks.run_payouts_task",
                 "distributions.tasks.sync_claims_task")
})

# --- Service Node Bonus (SPEC §3; every value is explained in docs/rules.md) ------------------
# oxend's JSON-RPC base URL, e.g. http://127.0.0.1:22023; empty = no live capture (the task logs and returns).
OXEND_RPC_URL = env.str("OXEND_RPC_URL", default="")
# First block that earns: 2023-09-25 00:00 UTC, estimated at 120 s/block from the HF19.4 anchor (oxend-rpc.md §5).
SNB_START_HEIGHT = env.int("SNB_START_HEIGHT", default=1_417_199)
# First block that no longer earns: 2025-05-21 00:00 UTC (Session Token launch), same estimate; set the real one.
SNB_FINAL_HEIGHT = env.int("SNB_FINAL_HEIGHT", default=1_852_079)
# Oxen addresses first registered strictly before this instant earn from SNB_START_HEIGHT.
SNB_BACKDATE_CUTOFF = datetime.fromisoformat(env.str("SNB_BACKDATE_CUTOFF", default="2024-02-01T00:00:00+00:00"))
if SNB_BACKDATE_CUTOFF.tzinfo is None:
    raise ImproperlyConfigured("SNB_BACKDATE_CUTOFF needs a timezone, e.g. 2024-02-01T00:00:00Z")
SNB_POOL_ATOMIC = env.int("SNB_POOL_ATOMIC", default=30_000_000 * 10**9)
# More blocks than this between consecutive snapshots inside the program is flagged in admin.
SNB_GAP_BLOCKS = env.int("SNB_GAP_BLOCKS", default=30)

# --- Oxen Coin Claims (SPEC §4; every value is explained in docs/rules.md) ---------------------
# oxen-wallet-rpc's base URL, e.g. http://127.0.0.1:18083; empty = claims cannot be opened or polled.
OXEN_WALLET_RPC_URL = env.str("OXEN_WALLET_RPC_URL", default="")
# HTTP Basic "user:password" of --rpc-login (the wallet has no Digest auth); empty = no login.
OXEN_WALLET_RPC_LOGIN = env.str("OXEN_WALLET_RPC_LOGIN", default="")
# The wallet account whose subaddresses belong to claims, and to nothing else (never 0).
OXEN_WALLET_ACCOUNT_INDEX = env.int("OXEN_WALLET_ACCOUNT_INDEX", default=1)
CLAIMS_POOL_ATOMIC = env.int("CLAIMS_POOL_ATOMIC", default=30_000_000 * 10**9)
CLAIMS_CONFIRMATIONS = env.int("CLAIMS_CONFIRMATIONS", default=10)
CLAIMS_MIN_DEPOSIT_ATOMIC = env.int("CLAIMS_MIN_DEPOSIT_ATOMIC", default=10**9)
# Multiplier steps "<ISO time>=<fraction>,…" (empty: 1 forever), or the announced rule: 7/10 from
# CLAIMS_TGE_TIME + 6 calendar months when CLAIMS_REDUCED_MULTIPLIER_ENABLED. Not both.
CLAIMS_MULTIPLIER_SCHEDULE = env.str("CLAIMS_MULTIPLIER_SCHEDULE", default="")
CLAIMS_REDUCED_MULTIPLIER_ENABLED = env.bool("CLAIMS_REDUCED_MULTIPLIER_ENABLED", default=False)
CLAIMS_TGE_TIME = env.str("CLAIMS_TGE_TIME", default="")
# Each poll re-reads this many blocks below the lowest uncredited deposit (and the wallet's top).
CLAIMS_SCAN_MARGIN_BLOCKS = env.int("CLAIMS_SCAN_MARGIN_BLOCKS", default=720)
# New claims (new subaddresses) and refused attempts per client IP, "<count>/<period>".
CLAIMS_OPEN_RATE_LIMIT_IP = env.str("CLAIMS_OPEN_RATE_LIMIT_IP", default="10/hour")
# Opening a claim waits this long for the wallet before answering 503.
CLAIMS_OPEN_WALLET_TIMEOUT_SECONDS = env.int("CLAIMS_OPEN_WALLET_TIMEOUT_SECONDS", default=5)

# --- Admin login: failed logins allowed per client (IPv6 by its /64) and per username -----------
# Past either, every attempt is refused before its password is checked until the window ends.
ADMIN_LOGIN_RATE_LIMIT_IP = env.str("ADMIN_LOGIN_RATE_LIMIT_IP", default="10/hour")
ADMIN_LOGIN_RATE_LIMIT_USERNAME = env.str("ADMIN_LOGIN_RATE_LIMIT_USERNAME", default="10/hour")

# --- Passwords, i18n, static files ------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))

# --- HTTP hardening ---------------------------------------------------------------------------
# A registration is three short strings; nothing legitimate posts more than this.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=64 * 1024)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# TLS terminates at the proxy in production; these follow DEBUG unless set explicitly.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of us append to X-Forwarded-For; 0 = use REMOTE_ADDR. With N > 0
# a request whose header has fewer than N entries is refused (400): it bypassed a proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Rate limits count an IPv6 client by its network: one home or VPS gets a whole /64 (some a /56).
RATE_LIMIT_IPV6_PREFIX = env.int("RATE_LIMIT_IPV6_PREFIX", default=64)
if not 32 <= RATE_LIMIT_IPV6_PREFIX <= 128:
    raise ImproperlyConfigured("RATE_LIMIT_IPV6_PREFIX must lie between 32 and 128 (64 or 56 in practice)")

# --- Registrations (SPEC §2; the (ours) values are explained in docs/rules.md) -------------------
# Which Oxen network's addresses the portal accepts: mainnet, testnet, devnet or stagenet.
OXEN_NETWORK = env.str("OXEN_NETWORK", default="mainnet")
# Failed submissions allowed per window, "<count>/<second|minute|hour|day>"; checked before any work.
# The address limit counts per (client, Oxen address): strangers cannot fill the owner's.
REGISTRATION_RATE_LIMIT_IP = env.str("REGISTRATION_RATE_LIMIT_IP", default="20/hour")
REGISTRATION_RATE_LIMIT_ADDRESS = env.str("REGISTRATION_RATE_LIMIT_ADDRESS", default="30/hour")
# Switching back to a superseded ETH address needs a signature over "<eth> <unix time>" this fresh.
REGISTRATION_REPLAY_WINDOW_SECONDS = env.int("REGISTRATION_REPLAY_WINDOW_SECONDS", default=24 * 3600)
# How far in the future a signed time may lie (clock skew between the wallet's machine and ours).
REGISTRATION_CLOCK_SKEW_SECONDS = env.int("REGISTRATION_CLOCK_SKEW_SECONDS", default=300)

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, bounded in size and nesting; every error in one envelope (swap/api/).
    "DEFAULT_PARSER_CLASSES": ["swap.api.parsers.ApiJSONParser"],
    "EXCEPTION_HANDLER": "swap.api.problems.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "swap.api.negotiation.OwnFormatNegotiation",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Session Token swap & claims API",
    "DESCRIPTION": "Registrations, Staking Points, coin claims and Merkle proofs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {"RoundStatusEnum": "swap.distributions.models.RoundStatus"},
    # Value shapes, every status with the problem envelope, and links (swap/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "swap.api.schema.complete_schema"],
    # The viewer comes from drf-spectacular-sidecar (pinned in requirements.txt), never from a CDN.
    "REDOC_DIST": "SIDECAR",
}

# --- Logging and error reports: never show secrets; the chain signer key is read in swap/chain only --
# Error pages (DEBUG) and reports mask every credential setting and any value holding one; so do
# log lines (an exception's message may quote a URL with its key). See swap/error_reports.py.
DEFAULT_EXCEPTION_REPORTER = "swap.error_reports.CredentialReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "swap.error_reports.CredentialFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "credentials": {"()": "swap.error_reports.CredentialLogFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["credentials"]},
        "mail_admins": {"level": "ERROR", "class": "django.utils.log.AdminEmailHandler",
                        "filters": ["require_debug_false", "credentials"]},
    },
    # Django's own "django" logger would print unmasked tracebacks under DEBUG: it goes to ours.
    "loggers": {"django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- L2 chain and distributions (SPEC §5; only swap/chain reads the L2_* values) ---------------
# No URL means no chain configured: the demo and the tests start a local anvil and set it.
L2_RPC_URL = env.str("L2_RPC_URL", default="") or None
# The chain every transaction is signed for; a node answering another eth_chainId is refused.
L2_CHAIN_ID = env.int("L2_CHAIN_ID", default=31337)
# The signer's private key, inline or in a file (a Docker/Kubernetes secret); never logged.
L2_SIGNER_KEY = env.str("L2_SIGNER_KEY", default="")
L2_SIGNER_KEY_FILE = env.str("L2_SIGNER_KEY_FILE", default="")
L2_DISTRIBUTOR_ADDRESS = env.str("L2_DISTRIBUTOR_ADDRESS", default="")
L2_TOKEN_ADDRESS = env.str("L2_TOKEN_ADDRESS", default="")
# The claim index reads the distributor's events from this block on, this many blocks per request.
L2_DISTRIBUTOR_DEPLOY_BLOCK = env.int("L2_DISTRIBUTOR_DEPLOY_BLOCK", default=0)
L2_LOG_CHUNK_BLOCKS = env.int("L2_LOG_CHUNK_BLOCKS", default=10_000)
# A mined transaction counts as final this many blocks deep (1 = its own block), or, with the
# tag, once the node's `finalized` block has reached it.
L2_CONFIRMATIONS = env.int("L2_CONFIRMATIONS", default=3)
L2_USE_FINALIZED_TAG = env.bool("L2_USE_FINALIZED_TAG", default=False)
# A broadcast transaction not mined after this long is re-sent with higher fees, same nonce.
L2_STUCK_SECONDS = env.int("L2_STUCK_SECONDS", default=120)
# Fee ceiling per gas (wei): a bump never signs above it, so a fee spike cannot drain the signer.
L2_MAX_FEE_PER_GAS = env.int("L2_MAX_FEE_PER_GAS", default=200 * 10**9)
L2_RPC_TIMEOUT_SECONDS = env.int("L2_RPC_TIMEOUT_SECONDS", default=15)
L2_PAYOUT_BATCH_SIZE = env.int("L2_PAYOUT_BATCH_SIZE", default=100)
L2_TRACK_INTERVAL_SECONDS = env.int("L2_TRACK_INTERVAL_SECONDS", default=15)
# Root safety (docs/threat-model.md). A proposed root becomes claimable only this long after its
# proposal (the contract refuses under an hour); a deployment takes it as its `activationDelay`.
L2_ACTIVATION_DELAY_SECONDS = env.int("L2_ACTIVATION_DELAY_SECONDS", default=24 * 3600)
# The admin of the distributor: a Safe multisig. Its owners sign what `manage.py safe_admin` prints.
L2_SAFE_ADDRESS = env.str("L2_SAFE_ADDRESS", default="")
# The key that deploys contracts (`manage.py deploy_contracts`); it holds no role afterwards.
L2_DEPLOYER_KEY = env.str("L2_DEPLOYER_KEY", default="")
L2_DEPLOYER_KEY_FILE = env.str("L2_DEPLOYER_KEY_FILE", default="")
# The watchdog: its own key (GUARDIAN_ROLE and PAUSER_ROLE, never the worker's), its own node.
WATCHDOG_SIGNER_KEY = env.str("WATCHDOG_SIGNER_KEY", default="")
WATCHDOG_SIGNER_KEY_FILE = env.str("WATCHDOG_SIGNER_KEY_FILE", default="")
WATCHDOG_RPC_URL = env.str("WATCHDOG_RPC_URL", default="") or None
WATCHDOG_POLL_SECONDS = env.int("WATCHDOG_POLL_SECONDS", default=30)
# An alert fires when the watchdog's last completed pass is older than this.
WATCHDOG_HEARTBEAT_MAX_AGE_SECONDS = env.int("WATCHDOG_HEARTBEAT_MAX_AGE_SECONDS", default=300)

# --- Claim widget (issue 15): the L2 as holders' wallets see it --------------------------------
# What `wallet_addEthereumChain` (EIP-3085) offers a wallet that does not know the chain, and where
# the portal links transactions. The public RPC URL is never L2_RPC_URL (that one may carry the
# provider's key); empty means the page asks the holder to add the network by hand.
L2_CHAIN_NAME = env.str("L2_CHAIN_NAME", default="Anvil (local)")
L2_PUBLIC_RPC_URL = env.str("L2_PUBLIC_RPC_URL", default="")
L2_NATIVE_CURRENCY_NAME = env.str("L2_NATIVE_CURRENCY_NAME", default="Ether")
L2_NATIVE_CURRENCY_SYMBOL = env.str("L2_NATIVE_CURRENCY_SYMBOL", default="ETH")
# Transaction and contract links use PORTAL_EXPLORER_URL (the holder portal's block below).
# How often the claim page asks the wallet for the receipt and the chain's height.
CLAIM_WIDGET_POLL_MILLISECONDS = env.int("CLAIM_WIDGET_POLL_MILLISECONDS", default=1500)

# Asking for delivery (`POST /api/v1/payout-requests/`), per client: new enrolments and refusals
# (each enrolment costs the service gas), and every request for one account.
PAYOUT_REQUEST_RATE_LIMIT_IP = env.str("PAYOUT_REQUEST_RATE_LIMIT_IP", default="10/hour")
PAYOUT_REQUEST_RATE_LIMIT_ACCOUNT = env.str("PAYOUT_REQUEST_RATE_LIMIT_ACCOUNT", default="5/hour")

# --- Program end (issue 18; docs/rules.md "Program end") ---------------------------------------
# Where withdrawRemainder sends what is left after the end: the Staking Reward Pool.
PROGRAM_REWARD_POOL_ADDRESS = env.str("PROGRAM_REWARD_POOL_ADDRESS", default="")
# Claims and registrations close this long before (end − activation delay), so the final round,
# proposed at the close, still becomes claimable before the end (the contract refuses it after).
PROGRAM_FINAL_ROUND_MARGIN_SECONDS = env.int("PROGRAM_FINAL_ROUND_MARGIN_SECONDS", default=3600)

# Where a round's cumulative entitlements come from: dotted paths to callables taking the round's
# cut-off (keyword `cutoff`, an aware datetime) and returning {EIP-55 address: atomic SESH}.
DISTRIBUTION_SOURCES = {
    "bonus": "bonuses.services.entitlements.bonus_entitlements",
    "claims": "claims.services.entitlements.claims_entitlements",
}

CELERY_BEAT_SCHEDULE = {
    "track-l2-transactions": {
        "task": "swap.chain.tasks.track_transactions_task",
        "schedule": float(L2_TRACK_INTERVAL_SECONDS),
    },
    # Activates pending roots whose delay is over (anyone may; the service does it on time).
    "activate-rounds": {
        "task": "swap.distributions.tasks.activate_rounds_task",
        "schedule": float(L2_TRACK_INTERVAL_SECONDS),
        "options": {"expires": max(1, L2_TRACK_INTERVAL_SECONDS - 1)},
    },
    # The watchdog's pass runs on its own queue, consumed only by the watchdog's worker.
    "watch-distributor": {
        "task": "swap.watchdog.tasks.watch_distributor_task",
        "schedule": float(WATCHDOG_POLL_SECONDS),
        "options": {"queue": "watchdog", "expires": max(1, WATCHDOG_POLL_SECONDS - 1)},
    },
    # Raises the stale-heartbeat alert from the main workers, since a dead watchdog cannot.
    "check-watchdog-heartbeat": {
        "task": "swap.watchdog.tasks.check_heartbeat_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "run-payouts": {
        "task": "swap.distributions.tasks.run_payouts_task",
        "schedule": 600.0,
    },
    # Copies the distributor's final Claimed events into the database (pages read "already claimed").
    "sync-distributor-claims": {
        "task": "swap.distributions.tasks.sync_claims_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Follows the distributor's end: records a new or moved endTime, closes claims at the close (issue 18).
    "sync-program-end": {
        "task": "swap.chain.tasks.sync_program_end_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # A late run is worthless once the next one is due: expire it rather than queue it.
    "capture-service-node-snapshot": {
        "task": "bonuses.tasks.capture_snapshot_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Reads the claims wallet's incoming transfers and credits confirmed deposits (single-flight).
    "poll-claim-deposits": {
        "task": "claims.tasks.poll_deposits_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# --- Holder portal (issue 15): the footer's links and the explorer of transaction links -----------
# The address holders must check in their address bar (footer's phishing note); empty: this request's own.
PORTAL_OFFICIAL_URL = env.str("PORTAL_OFFICIAL_URL", default="")
# Where holders get help (a page or mailto: URL); empty: the footer points to the community channels.
PORTAL_SUPPORT_URL = env.str("PORTAL_SUPPORT_URL", default="")
# How to verify a round; empty: the portal's own /verify/ page (a summary of docs/verify.md).
PORTAL_VERIFY_URL = env.str("PORTAL_VERIFY_URL", default="")
# The L2 block explorer (e.g. https://arbiscan.io): transaction links are <url>/tx/<hash>; empty: no links.
PORTAL_EXPLORER_URL = env.str("PORTAL_EXPLORER_URL", default="")
# When the next round is expected (ISO 8601, as announced); empty: the status page says "not announced yet".
_next_round = env.str("PORTAL_NEXT_ROUND_AT", default="")
PORTAL_NEXT_ROUND_AT = datetime.fromisoformat(_next_round) if _next_round else None
if PORTAL_NEXT_ROUND_AT is not None and PORTAL_NEXT_ROUND_AT.tzinfo is None:
    raise ImproperlyConfigured("PORTAL_NEXT_ROUND_AT needs a timezone, e.g. 2027-01-15T12:00:00Z")

# --- Metrics, logs and error reports (issue 16; docs/operations.md, "Metrics, alerts and logs") -----
# /metrics answers clients in these networks (as swap.http.client_ip reads them) or with the token; others 403.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
try:
    parse_networks(METRICS_ALLOWED_NETWORKS)
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS holds something that is not a network: {error}") from None
METRICS_BEARER_TOKEN = env.str("METRICS_BEARER_TOKEN", default="")
# Each peer (oxend, the wallet, the L2 node, the broker) gets this long per scrape, no retry.
METRICS_PROBE_TIMEOUT_SECONDS = env.float("METRICS_PROBE_TIMEOUT_SECONDS", default=2.0)
# Gas of one payout batch until one is confirmed (then the last confirmed batch's gas is used).
METRICS_PAYOUT_BATCH_GAS = env.int("METRICS_PAYOUT_BATCH_GAS", default=5_000_000)
# Logs: one JSON object per line in production (the default with DATABASE_URL), plain lines on the
# embedded default; LOG_FORMAT=json|plain overrides. Sentry: off unless SENTRY_DSN is set (swap/sentry.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if USES_EMBEDDED_DATABASE else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain")
LOGGING["formatters"]["json"] = {"()": "swap.logs.JsonFormatter"}
LOGGING["filters"]["secret_fields"] = {"()": "swap.logs.SecretFieldFilter"}
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
LOGGING["handlers"]["console"]["filters"] = ["credentials", "secret_fields"]
LOGGING["handlers"]["mail_admins"]["filters"] = ["require_debug_false", "credentials", "secret_fields"]
# A Celery worker keeps this configuration (JSON lines, masking) instead of installing its own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
