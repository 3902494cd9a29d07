"""The admin's login form and view, guarded against password guessing (`swap.login_guard`).

`GuardedAuthenticationForm` is the admin site's `login_form` (set in `swap/admin.py`): it asks the
guard before Django checks the password, and reports every failure to it. `login` is routed at
`/admin/login/` in front of the admin's own URL (same template, same form) only to answer a
lockout with `429` and `Retry-After` instead of `200`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from swap.http import client_ip
from swap.login_guard import LoginLockout, check_login_allowed, record_login_failure

_LOCKOUT_ATTRIBUTE = "admin_login_lockout"


class GuardedAuthenticationForm(AdminAuthenticationForm):
    """Django's admin login form, refusing locked-out attempts before any password is checked."""

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))
        if not username or not self.data.get("password"):
            return super().clean()  # a blank field: nothing was guessed, the field errors say so
        ip = client_ip(self.request)
        lockout = check_login_allowed(ip, username)
        if lockout is not None:
            setattr(self.request, _LOCKOUT_ATTRIBUTE, lockout)
            raise ValidationError(lockout.message, code="locked_out")
        try:
            return super().clean()
        except ValidationError as error:
            record_login_failure(ip, username, reason=error.code or "invalid_login")
            raise


def login(request: HttpRequest) -> HttpResponse:
    """The admin site's login view; a lockout is answered 429 with Retry-After."""
    response = admin.site.login(request)
    lockout: LoginLockout | None = getattr(request, _LOCKOUT_ATTRIBUTE, None)
    if lockout is not None:
        response.status_code = 429
        response["Retry-After"] = str(lockout.retry_after)
    return response
