"""prod-smoke runs the units' own command lines: how a unit is read, expanded and moved onto a checkout."""

from pathlib import Path

import pytest

from swap.prodsmoke.envfile import TemplateError, fill_in, read_template
from swap.prodsmoke.units import (
    Placement,
    UnitError,
    command_line,
    install_credentials,
    parse_unit,
    unit_environment,
)

REPO = Path(__file__).resolve().parents[2]
SYSTEMD = REPO / "deploy" / "systemd"


@pytest.fixture
def placement(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "swap.env").write_text("# comment\nWEB_BIND=127.0.0.1:18001\nWEB_WORKERS=3\nEXTRA=a b\n")
    (tmp_path / "etc" / "keys").mkdir()
    (tmp_path / "etc" / "keys" / "l2-signer.key").write_text("0xkey\n")
    prefixes = {"/opt/swap": "/checkout", "/etc/swap": str(tmp_path / "etc"), "/var/lib": str(tmp_path / "state"),
                "/run": str(tmp_path / "run")}
    return Placement(prefixes, "box", tmp_path / "credentials")


def test_the_web_unit_runs_gunicorn_on_the_bind_of_the_environment_file(placement):
    unit = parse_unit(SYSTEMD / "swap-web.service")
    environ = unit_environment(unit, placement, {"PATH": "/usr/bin"})
    assert environ["SWAP_PROCESS"] == "web" and environ["WEB_BIND"] == "127.0.0.1:18001"
    argv = command_line(unit.exec_start, unit, placement, environ)
    assert argv[:8] == ["/checkout/.venv/bin/gunicorn", "swap.wsgi", "--config", "/checkout/deploy/gunicorn.conf.py",
                        "--bind", "127.0.0.1:18001", "--workers", "3"]


def test_the_web_units_metrics_directory_is_made_empty_at_each_start(placement, tmp_path):
    unit = parse_unit(SYSTEMD / "swap-web.service")
    (tmp_path / "run" / "swap-web").mkdir(parents=True)
    (tmp_path / "run" / "swap-web" / "counter_123.db").write_text("a dead worker's figures")
    install_credentials(unit, placement)
    environ = unit_environment(unit, placement, {})
    assert environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "run" / "swap-web")
    assert list((tmp_path / "run" / "swap-web").iterdir()) == []


def test_specifiers_credentials_and_state_directories_are_what_systemd_makes(placement, tmp_path):
    l2 = parse_unit(SYSTEMD / "swap-worker-l2.service")
    install_credentials(l2, placement)
    environ = unit_environment(l2, placement, {})
    key = Path(environ["L2_SIGNER_KEY_FILE"])
    assert key == tmp_path / "credentials" / "swap-worker-l2" / "l2-signer-key"
    assert key.read_text() == "0xkey\n" and key.stat().st_mode & 0o777 == 0o400
    assert "l2@box" in command_line(l2.exec_start, l2, placement, environ)
    beat = parse_unit(SYSTEMD / "swap-beat.service")
    install_credentials(beat, placement)
    argv = command_line(beat.exec_start, beat, placement, unit_environment(beat, placement, {}))
    assert argv[argv.index("--schedule") + 1] == str(tmp_path / "state" / "swap-beat" / "celerybeat-schedule")
    assert (tmp_path / "state" / "swap-beat").is_dir()


def test_a_variable_no_file_sets_is_an_error_not_an_empty_word(placement):
    unit = parse_unit(SYSTEMD / "swap-web.service")
    with pytest.raises(UnitError, match="WEB_WORKERS"):
        command_line(unit.exec_start, unit, placement, {"WEB_BIND": "127.0.0.1:1"})


def test_dollar_name_splits_and_braces_keep_one_word(placement):
    unit = parse_unit(SYSTEMD / "swap-web.service")
    environ = {"EXTRA": "a b"}
    assert command_line("/opt/swap/x $EXTRA ${EXTRA} 100%%", unit, placement, environ) == [
        "/checkout/x", "a", "b", "a b", "100%"]


def test_a_required_environment_file_must_exist_an_optional_one_need_not(placement, tmp_path):
    unit = parse_unit(SYSTEMD / "swap-worker.service")
    assert unit.environment_files == [("/etc/swap/swap.env", False), ("/etc/swap/%N.env", True)]
    (tmp_path / "etc" / "swap-worker.env").write_text("WEB_WORKERS=9\n")
    assert unit_environment(unit, placement, {})["WEB_WORKERS"] == "9"  # read last, as systemd does
    (tmp_path / "etc" / "swap.env").unlink()
    with pytest.raises(UnitError, match="does not exist"):
        unit_environment(unit, placement, {})


def test_filling_in_the_template_refuses_a_name_it_does_not_list():
    with pytest.raises(TemplateError, match="NOT_A_SETTING"):
        fill_in(read_template(), {"NOT_A_SETTING": "1"})
    filled = fill_in(read_template(), {"L2_SIGNER_KEY_FILE": "/k"})
    assert filled["L2_SIGNER_KEY_FILE"] == "/k" and "WATCHDOG_SIGNER_KEY_FILE" not in filled
