"""Fixtures of the watchdog tests: the local L2, the deployed contracts and the entitlement source of
the distribution tests (the same fixtures, imported), and staff users for the admin pages."""

import pytest
from django.contrib.auth.models import Group, User

from swap.roles import AUDITOR_GROUP, OPERATOR_GROUP, sync_role_groups
from tests.distributions.conftest import deployed, entitlements, l2  # noqa: F401 - fixtures used by name

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def staff(db):
    """{role: user}: an auditor, an operator and a superuser, in the groups the migration made."""
    sync_role_groups()
    users = {"superuser": User.objects.create_superuser("root", password=PASSWORD)}
    for role, group in (("auditor", AUDITOR_GROUP), ("operator", OPERATOR_GROUP)):
        users[role] = User.objects.create_user(role, password=PASSWORD, is_staff=True)
        users[role].groups.add(Group.objects.get(name=group))
    return users
