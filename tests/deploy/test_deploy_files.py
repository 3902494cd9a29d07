"""deploy/ cannot drift from the application: the environment template lists exactly what the settings
read, the units cover every queue and process, nginx agrees with the settings, and nothing holds a secret."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

from swap.prodsmoke import nginx
from swap.prodsmoke.envfile import read_template
from swap.prodsmoke.units import parse_unit
from swap.production import PROCESS_REQUIRES

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def settings_read_from_the_environment() -> set[str]:
    """Every name swap/settings.py reads with `env.<type>("NAME", ...)` or `env("NAME")`."""
    tree = ast.parse((REPO / "swap" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        func = node.func
        reads = (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env") or (
            isinstance(func, ast.Name) and func.id == "env")
        if reads and isinstance(node.args[0].value, str):
            names.add(node.args[0].value)
    return names


def unit_variables() -> set[str]:
    """The `${NAME}` the units' command lines take from the environment file."""
    found = set()
    for path in UNITS:
        unit = parse_unit(path)
        for line in [*unit.exec_start_pre, unit.exec_start]:
            found.update(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", line))
    return found


def test_the_settings_reader_finds_what_settings_py_reads():
    names = settings_read_from_the_environment()
    assert {"DATABASE_URL", "SECRET_KEY", "L2_SIGNER_KEY_FILE", "TRUSTED_PROXY_COUNT", "SWAP_PROCESS"} <= names
    assert len(names) > 60


def test_the_environment_template_lists_every_setting_and_nothing_else():
    listed = {entry.name for entry in read_template()}
    read = settings_read_from_the_environment()
    assert read - listed == set(), "settings missing from deploy/swap.env.template"
    assert listed - read == unit_variables(), "names in the template that neither the settings nor the units read"


def test_a_unit_variable_is_set_in_the_template():
    values = {entry.name: entry for entry in read_template()}
    for name in unit_variables():
        assert not values[name].commented and values[name].value, name


# --- secrets ---------------------------------------------------------------------------------------

CREDENTIAL_NAME = re.compile(r"(SECRET|KEY|PASSWORD|LOGIN|TOKEN|DSN)(_FILE)?$")
SECRET_PATTERNS = {
    "a password in a URL": re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@"),
    "a 32-byte hex value (a private key)": re.compile(r"\b(0x)?[0-9a-fA-F]{64}\b"),
    "a PEM private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}


def secrets_in(text: str) -> list[str]:
    """What in a deploy file looks like a secret: a credential setting with a value, or a secret's shape."""
    found = []
    for line in text.splitlines():
        match = re.match(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and CREDENTIAL_NAME.search(match[1]) and match[2].strip():
            found.append(f"{match[1]} has a value")
        found.extend(what for what, pattern in SECRET_PATTERNS.items() if pattern.search(line))
    return found


@pytest.mark.parametrize("planted", [
    "SECRET_KEY=x7Kp2QvL9mZr4TnB8wYc3HdF6sJg1Ae5Uo0Nix7Kp2QvL9mZr4TnB8wYc3",
    "DATABASE_URL=postgres://swap:hunter2@db:5432/swap",
    "L2_SIGNER_KEY=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "OXEN_WALLET_RPC_LOGIN=swap:pa55word",
    "-----BEGIN EC PRIVATE KEY-----",
])
def test_the_secret_scan_finds_a_planted_secret(planted):
    assert secrets_in(planted)


def test_no_deploy_file_holds_a_secret():
    files = [path for path in DEPLOY.rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    assert len(files) >= 7
    found = {str(path.relative_to(REPO)): secrets_in(path.read_text()) for path in files}
    assert {path: what for path, what in found.items() if what} == {}


# --- units -------------------------------------------------------------------------------------------

def test_there_is_one_unit_per_deployed_process():
    processes = {}
    for path in UNITS:
        environment = dict(parse_unit(path).environment)
        processes[environment["SWAP_PROCESS"]] = path.name
    assert set(processes) == set(PROCESS_REQUIRES)


def test_every_unit_checks_the_deployment_before_it_starts():
    for path in UNITS:
        unit = parse_unit(path)
        assert unit.exec_start_pre == ["/opt/swap/.venv/bin/python manage.py check --deploy --fail-level WARNING"]
        assert unit.exec_start.startswith("/opt/swap/.venv/bin/")
        assert unit.environment_files[0] == ("/etc/swap/swap.env", False)


def worker_queues() -> dict[str, set[str]]:
    queues = {}
    for path in UNITS:
        words = parse_unit(path).exec_start.split()
        if "worker" in words:
            queues[path.name] = set(words[words.index("-Q") + 1].split(","))
    return queues


def test_every_queue_a_task_can_go_to_has_exactly_one_worker_unit():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    scheduled = {entry.get("options", {}).get("queue") for entry in settings.CELERY_BEAT_SCHEDULE.values()} - {None}
    needed = routed | scheduled | {settings.CELERY_TASK_DEFAULT_QUEUE}
    consumed = [queue for queues in worker_queues().values() for queue in queues]
    assert sorted(consumed) == sorted(needed)
    assert len(worker_queues()) == 3  # two main workers and the watchdog


def test_only_the_l2_worker_gets_the_signer_key_and_only_the_watchdog_its_own():
    loaded = {path.name: [source for _, source in parse_unit(path).credentials] for path in UNITS}
    assert loaded == {
        "swap-beat.service": [], "swap-web.service": [], "swap-worker.service": [],
        "swap-worker-l2.service": ["/etc/swap/keys/l2-signer.key"],
        "swap-watchdog.service": ["/etc/swap/keys/watchdog.key"],
    }
    assert "-Q l2" in parse_unit(DEPLOY / "systemd" / "swap-worker-l2.service").exec_start


def test_the_template_never_sets_what_a_unit_sets():
    """An EnvironmentFile= overrides Environment=: a value in the file would take a unit's key path away."""
    set_in_template = {entry.name for entry in read_template() if not entry.commented}
    for path in UNITS:
        assert set_in_template & {name for name, _ in parse_unit(path).environment} == set(), path.name


# --- nginx -------------------------------------------------------------------------------------------

def template_value(name: str) -> str:
    return next(entry.value for entry in read_template() if entry.name == name)


def test_nginx_overwrites_x_forwarded_for_and_django_trusts_exactly_that_entry():
    site = nginx.SITE.read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "proxy_add_x_forwarded_for" not in site
    assert template_value("TRUSTED_PROXY_COUNT") == "1"
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site and template_value("SECURE_PROXY_SSL_HEADER") == "true"


def test_nginx_agrees_with_the_settings():
    site = nginx.SITE.read_text()
    assert f"server {template_value('WEB_BIND')};" in site
    assert f"alias {template_value('STATIC_ROOT')}/;" in site
    body_limit = int(re.search(r"client_max_body_size (\d+)k;", site)[1]) * 1024
    assert body_limit == int(template_value("DATA_UPLOAD_MAX_MEMORY_SIZE"))
    assert f"max-age={template_value('SECURE_HSTS_SECONDS')}; includeSubDomains; preload" in site
    assert re.search(r"proxy_read_timeout (\d+)s;", site)[1] == re.search(
        r"--timeout (\d+)", parse_unit(DEPLOY / "systemd" / "swap-web.service").exec_start)[1]


def test_every_line_the_smoke_rewrites_is_in_the_site(tmp_path):
    edge = nginx.Edge(tmp_path, 1080, 1443, "127.0.0.1:18000", tmp_path / "static", tmp_path / "c.pem",
                      tmp_path / "k.pem")
    rewritten = nginx.rewrite_site(nginx.SITE.read_text(), edge)
    assert "listen 127.0.0.1:1443 ssl http2;" in rewritten and "server 127.0.0.1:18000;" in rewritten
    assert "/etc/letsencrypt" not in rewritten and "/srv/swap" not in rewritten
    with pytest.raises(nginx.NginxConfigError):
        nginx.rewrite_site(nginx.SITE.read_text().replace("listen 80;", "listen 8080;"), edge)
