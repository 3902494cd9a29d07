"""Read the published Oxen/CryptoNote vectors from `<repo>/../shared/oxen-vectors/` at test time.

The vectors are data with their public origin; tests read them as they are instead of copying them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
VECTORS_DIR = REPOSITORY_ROOT.parent / "shared" / "oxen-vectors"


@cache
def load(name: str) -> Any:
    """The parsed JSON file `name` (e.g. "base58_vectors.json")."""
    return json.loads((VECTORS_DIR / name).read_text(encoding="utf-8"))


def message_bytes(vector: dict[str, Any]) -> bytes:
    """The exact signed bytes of a message-signature vector (inline text, hex, or a signed file)."""
    if "message_utf8" in vector:
        return str(vector["message_utf8"]).encode("utf-8")
    if "message_hex" in vector:
        return bytes.fromhex(vector["message_hex"])
    return (VECTORS_DIR / vector["message_file"]).read_bytes()


def c_literal(text: str) -> str:
    """Undo the one C escape the base58 vectors use (`\\0`, a NUL character)."""
    return text.replace("\\0", "\0")
