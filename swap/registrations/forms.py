"""The registration form: shape only (lengths, the acknowledgement); the service judges meaning.

The ETH address keeps its surrounding whitespace (`strip=False`): the signature may have been made
over the text exactly as typed, and the service tries that form first.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from swap.registrations.services import MAX_ETH_CHARS, MAX_FIELD_CHARS, Submission

_TEXT = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}


class RegistrationForm(forms.Form):
    oxen_address = forms.CharField(
        label=_("Your Oxen address"),
        max_length=MAX_FIELD_CHARS,
        help_text=_("Your wallet's primary address (starts with L, 95 characters)."),
        widget=forms.TextInput(attrs={**_TEXT, "placeholder": "L…"}),
        error_messages={"required": _("Enter the Oxen address you stake from or hold your OXEN in.")},
    )
    eth_address = forms.CharField(
        label=_("Your Ethereum address"),
        max_length=MAX_ETH_CHARS,
        strip=False,
        help_text=_("The 0x… address on Arbitrum One that should receive SESH. Not an exchange address."),
        widget=forms.TextInput(attrs={**_TEXT, "placeholder": "0x…"}),
        error_messages={"required": _("Enter the Ethereum address (0x…) that should receive your SESH.")},
    )
    signature = forms.CharField(
        label=_("Signature"),
        max_length=MAX_FIELD_CHARS,
        help_text=_("The SigV1… text your Oxen wallet printed."),
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3, "placeholder": "SigV1…"}),
        error_messages={"required": _("Paste the signature (it starts with SigV1) that your Oxen wallet printed.")},
    )
    signed_at = forms.IntegerField(
        label=_("Signed time (only when switching back)"),
        required=False,
        min_value=0,
        max_value=2**40,
        help_text=_("Leave empty unless you are going back to an Ethereum address you registered before."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    node_pubkey = forms.CharField(
        label=_("Service node public key (optional)"), required=False, max_length=MAX_FIELD_CHARS,
        widget=forms.TextInput(attrs=_TEXT),
    )
    node_signature = forms.CharField(
        label=_("Service node Ed25519 signature (optional)"), required=False, max_length=MAX_FIELD_CHARS,
        widget=forms.TextInput(attrs=_TEXT),
    )
    not_an_exchange = forms.BooleanField(
        label=_("This Ethereum address is my own wallet, not an exchange deposit address. I understand that "
        "SESH sent to an exchange address may be lost."),
        error_messages={"required": _("Tick this box to confirm the Ethereum address is not an exchange address.")},
    )

    def submission(self) -> Submission:
        """The cleaned form as the service's input."""
        data = self.cleaned_data
        return Submission(
            oxen_address=data["oxen_address"],
            eth_address=data["eth_address"],
            signature=data["signature"],
            signed_at=data.get("signed_at"),
            node_pubkey=data.get("node_pubkey") or "",
            node_signature=data.get("node_signature") or "",
        )
