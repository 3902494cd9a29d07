"""Choosing how a new snapshot's payload is stored: a delta against the current keyframe, or a keyframe.

The current keyframe is the latest stored snapshot if it was stored whole, else the keyframe the
latest one is a delta against, so a delta never depends on more than one other row. A new snapshot
is stored whole when there is no snapshot yet or when its delta would be too large
(`payload_codec.DELTA_LIMIT_DIVISOR`): the network drifted far from the keyframe.

Each process keeps the `DeltaEncoder` of the keyframe it last used, keyed by the keyframe's sha256:
a digest of the exact bytes it holds, so a cached encoder can never stand for other bytes (a
discarded keyframe, a row id used again after a rollback). On a miss the keyframe is read back and
its sha256 checked before use.

Every payload is decoded again and compared with the canonical JSON before its transaction commits
(`StoredPayload.check`). The decoding runs on another thread (zstd releases the GIL) while the
snapshot row and its audit event are written, so it costs the ingestion next to nothing.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

from bonuses.models import ServiceNodeSnapshot
from swap.core import payload_codec

_lock = threading.Lock()
_encoder: tuple[str, payload_codec.DeltaEncoder] | None = None  # (keyframe sha256, encoder)


class PayloadMismatch(RuntimeError):
    """Stored bytes that do not decode to the canonical JSON they stand for: nothing may be stored."""


@dataclass
class StoredPayload:
    """A payload ready to store, and the check that it decodes to the canonical JSON (see `check`)."""

    codec: str
    payload: bytes
    base: ServiceNodeSnapshot | None = None
    _checker: threading.Thread | None = field(default=None, repr=False)
    _problem: list[str] = field(default_factory=list, repr=False)

    def start_check(self, canonical: bytes, base_canonical: bytes | None) -> None:
        def decode_and_compare() -> None:
            try:
                if payload_codec.decode(self.payload, self.codec, base_canonical) != canonical:
                    self._problem.append("decodes to other bytes")
            except Exception as error:  # noqa: BLE001 - reported by `check`, on the caller's thread
                self._problem.append(f"does not decode: {error!r}")

        self._checker = threading.Thread(target=decode_and_compare, name="snapshot-payload-check", daemon=True)
        self._checker.start()

    def check(self) -> None:
        """Wait for the decoding started by `encode_payload`; raise `PayloadMismatch` if it failed."""
        if self._checker is not None:
            self._checker.join()
        if self._problem:
            base = f" against keyframe {self.base.height}" if self.base is not None else ""
            raise PayloadMismatch(f"the {self.codec} payload{base} {self._problem[0]}")


def _delta_encoder(keyframe: ServiceNodeSnapshot) -> payload_codec.DeltaEncoder:
    """The encoder for this keyframe, from the process cache or built from its stored bytes."""
    with _lock:
        if _encoder is not None and _encoder[0] == keyframe.sha256:
            return _encoder[1]
    row = ServiceNodeSnapshot.objects.only("payload", "payload_codec", "payload_base").get(pk=keyframe.pk)
    try:
        canonical = row.canonical_json()
    except Exception as error:  # noqa: BLE001 - whatever the codec raises, the stored bytes are damaged
        raise PayloadMismatch(f"keyframe {keyframe.height} does not decode: {error!r}") from error
    if hashlib.sha256(canonical).hexdigest() != keyframe.sha256:
        raise PayloadMismatch(f"keyframe {keyframe.height} does not decode to its sha256 {keyframe.sha256}")
    return remember_keyframe(keyframe.sha256, canonical)


def remember_keyframe(sha256: str, canonical: bytes) -> payload_codec.DeltaEncoder:
    """Make `canonical` (whose sha256 the caller computed) the keyframe later deltas are built on."""
    global _encoder
    encoder = payload_codec.DeltaEncoder(canonical)
    with _lock:
        _encoder = (sha256, encoder)
    return encoder


def encode_payload(canonical: bytes, sha256: str, latest: ServiceNodeSnapshot | None) -> StoredPayload:
    """How to store `canonical` (whose sha256 is `sha256`) as the snapshot after `latest`.

    `latest` is the latest stored snapshot, read with `payload_base` selected (payloads deferred).
    The caller must call `check()` on the result before its transaction commits.
    """
    if latest is not None:
        keyframe = latest.payload_base if latest.payload_base_id is not None else latest
        encoder = _delta_encoder(keyframe)
        delta = encoder.encode(canonical)
        if len(delta) <= len(canonical) // payload_codec.DELTA_LIMIT_DIVISOR:
            stored = StoredPayload(payload_codec.ZSTD, delta, keyframe)
            stored.start_check(canonical, encoder.base)
            return stored
    stored = StoredPayload(payload_codec.ZSTD, payload_codec.encode_keyframe(canonical))
    stored.start_check(canonical, None)
    remember_keyframe(sha256, canonical)
    return stored
