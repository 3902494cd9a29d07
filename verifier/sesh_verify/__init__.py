"""sesh-verify: recompute every SESH of a published round from its bundle of raw inputs.

No Django, no database, no network unless asked (`--rpc`). The arithmetic is the service's own:
the modules of `swap.core` this package is built with (`verifier/pyproject.toml`).
"""

from sesh_verify.checks import Broken, verify_bundle

__all__ = ["Broken", "verify_bundle"]
