"""The holder pages' template filters: integers of atomic units in, the one formatter's text out."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(text: str, **context: object) -> str:
    return Template("{% load portal %}" + text).render(Context(context))


def test_amounts_are_written_by_the_one_formatter_from_ints_or_decimal_strings() -> None:
    assert render("{{ a|sesh }} / {{ b|oxen }}", a=34_328_254_472_717, b="1234567891234") == \
        "34,328.254472717 SESH / 1,234.567891234 OXEN"
    assert render("[{{ a|sesh }}]", a=None) == "[]"


def test_a_float_is_refused_rather_than_rounded() -> None:
    with pytest.raises(TemplateSyntaxError, match="atomic units"):
        render("{{ a|sesh }}", a=1.5)


def test_an_address_is_shortened_with_its_full_text_for_readers_and_the_copy_button() -> None:
    html = render('{% address eth "Ethereum address" %}', eth="0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")
    assert '<span aria-hidden="true">0x3C44Cd…4293BC</span>' in html
    assert '<span class="visually-hidden">0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC</span>' in html
    assert 'data-copy="0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"' in html
    assert 'aria-label="Copy Ethereum address"' in html
