"""Fixtures of the admin tests: staff in each role, the simulated Oxen wallet, the scripted scenario."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from admin_world import (
    PASSWORD,
    Scenario,
    add_outbox_rows,
    build,
    configure,
    held_deposit,
    label,
    program_end_rows,
    watchdog_rows,
)
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import models

from claims.services import config
from swap.roles import AUDITOR_GROUP, OPERATOR_GROUP, sync_role_groups
from swap.simulator import OxenSimulator
from tests.claims.claims_world import ACCOUNT, make_world


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    """{role: user}: an auditor, an operator and a superuser (the groups as the migration made them)."""
    sync_role_groups()  # a transactional test's flush removed them; this is what post_migrate does
    users = {"superuser": User.objects.create_superuser("root", password=PASSWORD)}
    for role, group in (("auditor", AUDITOR_GROUP), ("operator", OPERATOR_GROUP)):
        users[role] = User.objects.create_user(role, password=PASSWORD, is_staff=True)
        users[role].groups.add(Group.objects.get(name=group))
    return users


@pytest.fixture
def sim() -> Iterator[OxenSimulator]:
    with OxenSimulator(length=100) as simulator:
        yield simulator


@pytest.fixture
def scenario_settings(settings, sim: OxenSimulator):  # type: ignore[no-untyped-def]
    settings.OXEN_NETWORK = "mainnet"
    settings.OXEN_WALLET_RPC_URL = sim.wallet_url
    settings.OXEN_WALLET_RPC_LOGIN = ""
    settings.OXEN_WALLET_ACCOUNT_INDEX = ACCOUNT
    settings.CLAIMS_POOL_ATOMIC = 30_000_000 * 10**9
    settings.CLAIMS_CONFIRMATIONS = 10
    settings.CLAIMS_MIN_DEPOSIT_ATOMIC = 10**9
    settings.CLAIMS_MULTIPLIER_SCHEDULE = ""
    settings.CLAIMS_REDUCED_MULTIPLIER_ENABLED = False
    settings.CLAIMS_OPEN_RATE_LIMIT_IP = "1000/hour"
    settings.REGISTRATION_RATE_LIMIT_IP = "1000/hour"
    settings.REGISTRATION_RATE_LIMIT_ADDRESS = "1000/hour"
    configure(settings)
    config._client.cache_clear()
    yield settings
    config._client.cache_clear()


@pytest.fixture
def scenario(db, scenario_settings, sim: OxenSimulator) -> Scenario:  # type: ignore[no-untyped-def]
    return build(make_world(sim))


@pytest.fixture
def rows(scenario: Scenario, staff) -> dict[type[models.Model], models.Model]:  # type: ignore[no-untyped-def]
    """One row of every model the admin shows, made by the scenario's services."""
    add_outbox_rows(scenario)
    held_deposit(scenario)
    watchdog_rows(scenario)
    program_end_rows()
    found = {model: model._default_manager.order_by("pk").first() for model in admin.site._registry}
    missing = sorted(label(model) for model, obj in found.items() if obj is None)
    assert not missing, f"the scenario has no row of {missing}: add one to admin_world.py"
    return found  # type: ignore[return-value]
