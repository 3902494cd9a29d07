"""Forms of Oxen Coin Claims: shape only; the services judge meaning.

The admin forms turn typed text into the services' arguments and show the services' refusals
under the right field; the public form takes one Oxen address.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.exceptions import SnapshotLocked
from claims.models import Burn, SupplySnapshot
from claims.services.supply import ExcludedHolding, SupplyRefused, check_figures, is_locked, parse_excluded

EXCLUDED_HELP = (
    "One holding per line: the Oxen address, the amount in ATOMIC units (1 OXEN = 1000000000), then an optional "
    "note. Lines starting with # are ignored."
)
_TEXT = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}


class OpenClaimForm(forms.Form):
    oxen_address = forms.CharField(
        label=_("Your registered Oxen address"),
        max_length=200,
        help_text=_("The primary address (starts with L) you registered with your Ethereum address."),
        widget=forms.TextInput(attrs={**_TEXT, "placeholder": "L…"}),
        error_messages={"required": _("Enter the Oxen address you registered.")},
    )


def _atomic_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=2**63 - 1, help_text="atomic units (10^9 per OXEN)")


class _ExcludedMixin(forms.Form):
    excluded_text = forms.CharField(
        label="Excluded holdings", required=False, help_text=EXCLUDED_HELP,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 4, "cols": 100}),
    )

    def excluded(self) -> list[ExcludedHolding]:
        return list(self.cleaned_data.get("excluded", []))

    def _clean_excluded(self) -> list[ExcludedHolding] | None:
        try:
            return parse_excluded(self.cleaned_data.get("excluded_text", ""))
        except SupplyRefused as refused:
            for message in refused.problems.get("excluded", []):
                self.add_error("excluded_text", message)
            return None


class SupplySnapshotForm(_ExcludedMixin, forms.ModelForm):  # type: ignore[type-arg]
    """The admin's add form: the snapshot's figures; the rate is derived, never typed."""

    emission_atomic = _atomic_field("Emission up to the height")
    burned_atomic = _atomic_field("Burned up to the height")

    class Meta:
        model = SupplySnapshot
        fields = ["height", "block_hash", "emission_atomic", "burned_atomic", "notes"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        excluded = self._clean_excluded()
        if excluded is None or self.errors:
            return data
        data["excluded"] = excluded
        block_hash = str(data.get("block_hash", "")).strip().lower()
        data["block_hash"] = block_hash
        problems = check_figures(data["height"], block_hash, data["emission_atomic"], data["burned_atomic"], excluded)
        for field, messages in problems.items():
            for message in messages:
                self.add_error("excluded_text" if field == "excluded" else field, message)
        if is_locked():
            self.add_error(None, str(SnapshotLocked("deposits were credited at the active snapshot's rate; "
                                                    "it can no longer change")))
        return data


class FillFromOxendForm(_ExcludedMixin):
    """Ask a worker to fetch emission, burn and block hash at a height from oxend."""

    height = forms.IntegerField(min_value=0, help_text="the TGE snapshot height; must be immutable on oxend")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        excluded = self._clean_excluded()
        if excluded is not None:
            data["excluded"] = excluded
        if is_locked():
            self.add_error(None, "Deposits were credited at the active snapshot's rate; it can no longer change.")
        return data


class BurnForm(forms.ModelForm):  # type: ignore[type-arg]
    amount_atomic = forms.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="atomic OXEN burned (the transaction's extra.burn_amount)"
    )

    class Meta:
        model = Burn
        fields = ["txid", "amount_atomic", "notes"]

    def clean_txid(self) -> str:
        return str(self.cleaned_data["txid"]).strip().lower()
