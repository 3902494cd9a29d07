"""Serializer fields whose schema is a value shape of `swap.api.values`.

They validate exactly like `CharField` (the service judges the value and says what is wrong in
words a person can act on); only the schema they produce differs: the shape's pattern and
lengths, built when the schema is generated (the Oxen network is a setting).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from swap.api.values import shape


class ValueField(serializers.CharField):
    """A `CharField` documented as the shape `value` (whitespace-tolerant when the field trims)."""

    def __init__(self, value: str, *, whitespace: bool = False, purpose: str = "", **kwargs: Any) -> None:
        self.value_shape = value
        self.whitespace = whitespace
        self.purpose = purpose  # leads the description; `help_text` would replace the shape's words
        super().__init__(**kwargs)


class ValueFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ValueField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field: ValueField = self.target
        schema = shape(field.value_shape, whitespace=field.whitespace, max_length=field.max_length)
        if field.purpose:
            schema["description"] = f"{field.purpose}. {schema['description']}"
        if field.allow_null:
            schema["nullable"] = True
        return schema
