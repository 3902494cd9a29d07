"""Show service messages on pages: `backticked` commands become <code>, everything else is escaped.

Messages are shared with the API, where backticks mark what to type. On a page they must look like
code, without quote marks a person might copy into the wallet (the CLI would sign the quotes too).
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_BACKTICKED = re.compile(r"`([^`]+)`")


@register.filter
def codify(message: object) -> SafeString:
    """Escape `message`, then turn each `text` into <code>text</code>."""
    return mark_safe(_BACKTICKED.sub(r"<code>\1</code>", escape(str(message))))  # noqa: S308 - escaped above
