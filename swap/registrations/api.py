"""REST API v1 for registrations: serializers check shape, `services` decides meaning.

Errors are the API's one envelope (`swap.api.problems`): problem details whose `errors` read
`{<field>: [{"code": …, "message": …}]}` (field `non_field_errors` for the rest), whether the
serializer or the service refused, so a client handles one format.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from swap.api import examples
from swap.api.fields import ValueField
from swap.api.problems import Problem, problem_response
from swap.api.schema import problem, value_parameter
from swap.http import client_ip
from swap.registrations.exceptions import (
    FieldProblem,
    RegistrationConflict,
    RegistrationRateLimited,
    RegistrationRefused,
)
from swap.registrations.models import MatchedForm, Registration
from swap.registrations.services import (
    MAX_ETH_CHARS,
    MAX_FIELD_CHARS,
    Submission,
    current_registration,
    refuse_malformed,
    registration_history,
    submit_registration,
)

SIGNED_AT_MAX = 2**40


class SubmissionSerializer(serializers.Serializer[Any]):
    # Shapes in the schema (swap.api.values); the service checks them and says what is wrong.
    oxen_address = ValueField("oxen-address", whitespace=True, max_length=MAX_FIELD_CHARS,
                              purpose="The primary Oxen address to register")
    eth_address = ValueField("eth-address", whitespace=True, max_length=MAX_ETH_CHARS, trim_whitespace=False,
                             purpose="The ETH address that receives the SESH (stored in EIP-55 form)")
    signature = ValueField("signature", whitespace=True, max_length=MAX_FIELD_CHARS,
                           purpose="The wallet's signature of the ETH address")
    signed_at = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=SIGNED_AT_MAX,
        help_text='unix time, when the signed text is "<eth address> <unix time>" (needed to switch back to a '
        "superseded ETH address)",
    )
    node_pubkey = ValueField("node-pubkey", whitespace=True, required=False, allow_blank=True,
                             max_length=MAX_FIELD_CHARS, purpose="Optional: links a service node to the registration")
    node_signature = ValueField("node-signature", whitespace=True, required=False, allow_blank=True,
                                max_length=MAX_FIELD_CHARS, purpose="Required with node_pubkey")

    @classmethod
    def plain_submission(cls, raw: Any) -> Submission | None:
        """The `Submission` that validation would return, for the plain shape every real client
        sends; None for anything else, which then takes the full DRF path and its messages.

        "Plain": a JSON object whose fields are ASCII strings without NUL, not blank when
        required, within their length after trimming, and `signed_at` absent, null or an integer
        in range. For these inputs DRF's fields do nothing but trim (not the ETH address) — a test
        holds the two paths equal — and skipping them saves a sizeable share of a registration's
        CPU time: DRF deep-copies every declared field of every serializer it instantiates.
        """
        if not isinstance(raw, dict):
            return None
        values: dict[str, str] = {}
        for name, limit, trim, required in _PLAIN_TEXT_FIELDS:
            value = raw.get(name)
            if value is None and not required and name not in raw:
                values[name] = ""
                continue
            if type(value) is not str or not value.isascii() or "\x00" in value:
                return None
            text = value.strip() if trim else value
            if (required and not text) or len(text) > limit:
                return None
            values[name] = text
        signed_at = raw.get("signed_at")
        if signed_at is not None and (type(signed_at) is not int or not 0 <= signed_at <= SIGNED_AT_MAX):
            return None
        return Submission(signed_at=signed_at, **values)

    def to_submission(self, data: dict[str, Any]) -> Submission:
        return Submission(
            oxen_address=str(data.get("oxen_address") or ""),
            eth_address=str(data.get("eth_address") or ""),
            signature=str(data.get("signature") or ""),
            signed_at=data.get("signed_at"),
            node_pubkey=str(data.get("node_pubkey") or ""),
            node_signature=str(data.get("node_signature") or ""),
        )


# (name, max length, trimmed, required) of SubmissionSerializer's text fields, for the plain path.
_PLAIN_TEXT_FIELDS = (
    ("oxen_address", MAX_FIELD_CHARS, True, True),
    ("eth_address", MAX_ETH_CHARS, False, True),
    ("signature", MAX_FIELD_CHARS, True, True),
    ("node_pubkey", MAX_FIELD_CHARS, True, False),
    ("node_signature", MAX_FIELD_CHARS, True, False),
)


class RegistrationSerializer(serializers.Serializer[Registration]):
    """A stored registration. The declared fields document the API schema; `to_representation`
    builds the same dict directly (a test holds it equal to DRF's field-by-field result), because
    instantiating DRF fields for every response is a measurable share of a registration's CPU time."""

    oxen_address = serializers.CharField()
    eth_address = serializers.CharField(help_text="EIP-55 form")
    signature = serializers.CharField()
    signed_message = serializers.CharField(help_text="the exact text the signature verified over")
    matched_form = serializers.ChoiceField(
        MatchedForm.choices, help_text="which textual form of the ETH address the signature matched"
    )
    signed_at = serializers.DateTimeField(allow_null=True, help_text='the time in "<eth address> <unix time>"')
    node_pubkey = serializers.CharField(allow_blank=True, help_text="service node Ed25519 key, when linked")
    is_current = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    superseded_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Registration) -> dict[str, Any]:
        return {
            "oxen_address": instance.oxen_address,
            "eth_address": instance.eth_address,
            "signature": instance.signature,
            "signed_message": instance.signed_message,
            "matched_form": instance.matched_form,
            "signed_at": _iso_datetime(instance.signed_at),
            "node_pubkey": instance.node_pubkey,
            "is_current": instance.is_current,
            "created_at": _iso_datetime(instance.created_at),
            "superseded_at": _iso_datetime(instance.superseded_at),
        }


def _iso_datetime(value: datetime | None) -> str | None:
    """DRF's default DateTimeField output for an aware datetime: ISO 8601 in UTC, "Z" for +00:00."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class RegistrationDetailSerializer(serializers.Serializer[Any]):
    current = RegistrationSerializer(allow_null=True)
    history = RegistrationSerializer(many=True, help_text="superseded registrations, newest first")


SUBMITTED_SCHEMA = inline_serializer(
    "RegistrationSubmitted",
    {
        "outcome": serializers.ChoiceField(["created", "replaced", "unchanged"]),
        "registration": RegistrationSerializer(),
    },
)


def _problems_from_serializer(errors: dict[str, Any]) -> dict[str, list[FieldProblem]]:
    problems: dict[str, list[FieldProblem]] = {}
    for field, details in errors.items():
        items = details if isinstance(details, list) else [details]
        problems[field] = [FieldProblem(getattr(item, "code", "invalid"), str(item)) for item in items]
    return problems


def _valid_fields(serializer: SubmissionSerializer, raw: dict[str, Any]) -> dict[str, Any]:
    """The fields that passed their own shape check, so the service can still judge them."""
    valid = {}
    for name, field in serializer.fields.items():
        if name in raw and name not in serializer.errors:
            try:
                valid[name] = field.run_validation(raw[name])
            except ValidationError:
                continue
    return valid


class RegistrationCreateView(APIView):
    """Submit a registration."""

    @extend_schema(
        operation_id="registrations_create",
        summary="Register an Oxen address to an ETH address",
        description=(
            "Verify a SigV1 signature made with `sign_value <eth address>` (or over `<eth address> <unix time>` "
            "when switching back to a superseded ETH address) and store the registration. Re-submitting the "
            "current pair is idempotent (200, no new row). Failed attempts are rate limited per client IP and "
            "per Oxen address (429 with Retry-After)."
        ),
        request=SubmissionSerializer,
        responses={
            201: SUBMITTED_SCHEMA,
            200: OpenApiResponse(SUBMITTED_SCHEMA, description="the same pair was already current"),
            400: problem("a reason per field; or the body is not JSON, or nested too deep"),
            409: problem("a concurrent registration for the same Oxen address"),
            429: problem("too many failed attempts from this client or for this Oxen address; see Retry-After"),
        },
        examples=[examples.REGISTRATION],
    )
    def post(self, request: Request) -> Response:
        ip = client_ip(request._request)
        raw = request.data if isinstance(request.data, dict) else {}
        plain = SubmissionSerializer.plain_submission(raw)
        try:
            if plain is not None:
                result = submit_registration(plain, ip=ip, actor="api")
            else:
                serializer = SubmissionSerializer(data=raw)
                if serializer.is_valid():
                    submission = serializer.to_submission(serializer.validated_data)
                    result = submit_registration(submission, ip=ip, actor="api")
                else:
                    shape_problems = _problems_from_serializer(serializer.errors)
                    valid = serializer.to_submission(_valid_fields(serializer, raw))
                    refuse_malformed(valid, shape_problems, ip=ip, actor="api")
        except RegistrationRefused as refused:
            return problem_response(status.HTTP_400_BAD_REQUEST, refused.problems)
        except RegistrationRateLimited as limited:
            return problem_response(status.HTTP_429_TOO_MANY_REQUESTS,
                                    {"non_field_errors": [FieldProblem("rate_limited", limited.message)]},
                                    headers={"Retry-After": str(limited.retry_after)}, retry_after=limited.retry_after)
        except RegistrationConflict as conflict:
            return problem_response(status.HTTP_409_CONFLICT,
                                    {"non_field_errors": [FieldProblem("conflict", conflict.message)]})
        code = status.HTTP_200_OK if result.outcome == "unchanged" else status.HTTP_201_CREATED
        return Response({"outcome": result.outcome, "registration": RegistrationSerializer(result.registration).data},
                        status=code)


class RegistrationDetailView(APIView):
    """The current registration of an Oxen address and its history."""

    @extend_schema(
        operation_id="registrations_retrieve",
        summary="Current registration and history of an Oxen address",
        parameters=[value_parameter("oxen_address", "oxen-address", "a registered Oxen address",
                                    examples.OXEN_PARAMETER)],
        responses={200: RegistrationDetailSerializer, 404: problem("this Oxen address has never been registered")},
    )
    def get(self, request: Request, oxen_address: str) -> Response:
        current = current_registration(oxen_address)
        history = registration_history(oxen_address)
        if current is None and not history:
            raise Problem(404, "oxen_address", "not_found", "This Oxen address has never been registered.")
        return Response(RegistrationDetailSerializer({"current": current, "history": history}).data)
