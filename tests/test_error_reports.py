"""The DEBUG error page (and every error report) shows no credential (issue 17, item 5).

Django masks settings whose *name* matches API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE, and only when
DEBUG is off; the wallet RPC login and an L2 provider URL carrying its API key were shown in full.
A real error in a real request, with DEBUG on, through Django's test client.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import include, path

from claims.wallet_rpc import WalletRpcClient

pytestmark = pytest.mark.django_db

# Every credential-bearing setting, with a value that carries a recognisable secret. The filter's
# own list (`swap.error_reports.CREDENTIAL_SETTINGS`) must hold each of them.
CREDENTIALS = {
    "SECRET_KEY": ("x9-SECRETKEY-S3CR3T-" * 3, "SECRETKEY-S3CR3T"),
    "OXEN_WALLET_RPC_LOGIN": ("claims-wallet:WALLETLOGIN-S3CR3T", "WALLETLOGIN-S3CR3T"),
    "OXEN_WALLET_RPC_URL": ("http://rpcuser:WALLETURL-S3CR3T@127.0.0.1:18083", "WALLETURL-S3CR3T"),
    "OXEND_RPC_URL": ("https://oxend.example.net/rpc?api_key=OXENDKEY-S3CR3T", "OXENDKEY-S3CR3T"),
    "L2_RPC_URL": ("https://arb-mainnet.example.com/v2/L2PROVIDERKEY-S3CR3T-abcdef", "L2PROVIDERKEY-S3CR3T"),
    "L2_SIGNER_KEY": ("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
                      "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"),
    "L2_SIGNER_KEY_FILE": ("/run/secrets/SIGNERFILE-S3CR3T.key", "SIGNERFILE-S3CR3T"),
    "CELERY_BROKER_URL": ("redis://:BROKER-S3CR3T@127.0.0.1:6379/0", "BROKER-S3CR3T"),
    "REDIS_URL": ("rediss://cache:REDISURL-S3CR3T@127.0.0.1:6380/1", "REDISURL-S3CR3T"),
    "SENTRY_DSN": ("https://SENTRYKEY-S3CR3T@o1.ingest.example.io/42", "SENTRYKEY-S3CR3T"),
    "EMAIL_HOST_PASSWORD": ("MAILPASSWORD-S3CR3T", "MAILPASSWORD-S3CR3T"),
    "CACHES": ({"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                            "LOCATION": "redis://:CACHELOCATION-S3CR3T@127.0.0.1:6379/2"}}, "CACHELOCATION-S3CR3T"),
}
# The environment too: runserver copies it into request.META, and DATABASE_URL is no setting.
ENVIRONMENT = {
    "DATABASE_URL": ("postgres://swap:DATABASEURL-S3CR3T@db.internal:5432/swap", "DATABASEURL-S3CR3T"),
    "L2_RPC_URL": ("https://arb-mainnet.example.com/v2/ENVL2KEY-S3CR3T-abcdef", "ENVL2KEY-S3CR3T"),
}


def failing_view(request):
    """A view that fails with credentials in its frame, its locals and its exception's message."""
    login = django_settings.OXEN_WALLET_RPC_LOGIN
    user, _, password = login.partition(":")
    client = WalletRpcClient(django_settings.OXEN_WALLET_RPC_URL, auth=(user, password))  # noqa: F841
    node = django_settings.L2_RPC_URL
    raise ConnectionError(f"could not reach {node} (wallet login {login})")


urlpatterns = [path("fail/", failing_view), path("", include("swap.urls"))]


@pytest.fixture
def debug_page(settings):
    settings.DEBUG = True
    settings.ROOT_URLCONF = __name__
    for name, (value, _) in CREDENTIALS.items():
        setattr(settings, name, value)
    client = Client(raise_request_exception=False)
    extra = {name: value for name, (value, _) in ENVIRONMENT.items()}
    response = client.get("/fail/?q=1", **extra)
    assert response.status_code == 500
    return response.content.decode()


def test_the_filter_lists_every_credential_setting():
    from swap.error_reports import CREDENTIAL_SETTINGS

    assert set(CREDENTIALS) - {"CACHES"} <= set(CREDENTIAL_SETTINGS)


def test_the_debug_page_of_a_real_error_shows_no_credential(debug_page):
    assert "ConnectionError" in debug_page and "failing_view" in debug_page  # it is the real page
    for name, (_, secret) in {**CREDENTIALS, **ENVIRONMENT}.items():
        assert secret not in debug_page, f"{name} leaked"
        assert secret.lower() not in debug_page.lower(), f"{name} leaked"
    # The settings are listed, masked, under their names.
    assert "OXEN_WALLET_RPC_LOGIN" in debug_page and "L2_RPC_URL" in debug_page
    assert "********************" in debug_page


def test_the_plain_text_report_shows_no_credential_either(settings):
    settings.DEBUG = True
    settings.ROOT_URLCONF = __name__
    for name, (value, _) in CREDENTIALS.items():
        setattr(settings, name, value)
    client = Client(raise_request_exception=False)
    text = client.get("/fail/", HTTP_ACCEPT="text/plain").content.decode()
    assert "ConnectionError" in text
    for name, (_, secret) in CREDENTIALS.items():
        assert secret not in text, f"{name} leaked"


def test_a_logged_exception_shows_no_credential():
    """The web process logs every 500 with its traceback: the log line is masked too."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django, logging; django.setup()\n"
        "from django.conf import settings\n"
        "try:\n"
        "    raise ConnectionError(f'could not reach {settings.L2_RPC_URL} as {settings.OXEN_WALLET_RPC_LOGIN}')\n"
        "except ConnectionError:\n"
        "    logging.getLogger('django.request').exception('Internal Server Error: %s', settings.L2_RPC_URL)\n"
    )
    base = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    env = {**base, "DJANGO_SETTINGS_MODULE": "swap.settings", "L2_RPC_URL": CREDENTIALS["L2_RPC_URL"][0],
           "OXEN_WALLET_RPC_LOGIN": CREDENTIALS["OXEN_WALLET_RPC_LOGIN"][0]}
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[1], env=env,
                            capture_output=True, text=True, timeout=120)
    assert "Internal Server Error" in result.stderr and "ConnectionError" in result.stderr, result.stderr
    for name in ("L2_RPC_URL", "OXEN_WALLET_RPC_LOGIN"):
        assert CREDENTIALS[name][1] not in result.stderr, f"{name} leaked into the log"
