"""Keeping `ServiceNode` rows in step with the snapshots: write a row only when its facts change.

Called by ingestion (inside its transaction, holding the snapshot-write lock) and by the reorg
path, which puts rows back as they were at an earlier stored snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db.models import Q

from bonuses.models import ServiceNode, ServiceNodeSnapshot
from bonuses.services.bulk import update_rows
from swap.core.snapshot_format import NodeFacts, parse_snapshot

FACT_FIELDS = ("operator_address", "registration_height", "state", "state_height", "requested_unlock_height")
ROW_FIELDS = (*FACT_FIELDS, "listed_since_height", "last_seen_height", "gone_height", "updated_height", "listings")
BATCH = 500


def _facts_of(node: ServiceNode) -> tuple[object, ...]:
    return tuple(getattr(node, name) for name in FACT_FIELDS)


def _facts_tuple(facts: NodeFacts) -> tuple[object, ...]:
    return tuple(getattr(facts, name) for name in FACT_FIELDS)


def _set_facts(node: ServiceNode, facts: NodeFacts) -> None:
    for name in FACT_FIELDS:
        setattr(node, name, getattr(facts, name))


def sync_nodes(nodes: dict[str, NodeFacts], *, height: int, previous_height: int | None) -> None:
    """Bring the node rows to the snapshot at `height` listing exactly `nodes`.

    New pubkeys get a row; listed rows whose facts differ are updated; a pubkey listed again after
    leaving reopens a listing; listed rows absent from `nodes` are marked gone at `height`, last
    seen at `previous_height`. Rows that did not change are not written.
    """
    listed = {node.pubkey: node for node in ServiceNode.objects.filter(gone_height__isnull=True)}
    unlisted = sorted(pubkey for pubkey in nodes if pubkey not in listed)
    returning = {
        node.pubkey: node
        for start in range(0, len(unlisted), BATCH)
        for node in ServiceNode.objects.filter(pubkey__in=unlisted[start : start + BATCH])
    }
    created: list[ServiceNode] = []
    changed: list[ServiceNode] = []
    for pubkey, facts in nodes.items():
        node = listed.get(pubkey)
        if node is not None:
            if _facts_of(node) != _facts_tuple(facts):
                _set_facts(node, facts)
                node.updated_height = height
                changed.append(node)
            continue
        node = returning.get(pubkey)
        if node is not None:  # deregistered or unlocked earlier, registered again with the same key
            _set_facts(node, facts)
            node.listings = [*node.listings, [height, None, None]]
            node.listed_since_height, node.last_seen_height, node.gone_height = height, None, None
            node.updated_height = height
            changed.append(node)
            continue
        node = ServiceNode(
            pubkey=pubkey, first_seen_height=height, listed_since_height=height, updated_height=height,
            listings=[[height, None, None]],
        )
        _set_facts(node, facts)
        created.append(node)
    for pubkey, node in listed.items():
        if pubkey not in nodes:
            last_seen = previous_height if previous_height is not None else height - 1
            node.listings = [*node.listings[:-1], [node.listings[-1][0], last_seen, height]]
            node.last_seen_height, node.gone_height, node.updated_height = last_seen, height, height
            changed.append(node)
    ServiceNode.objects.bulk_create(created, batch_size=BATCH)
    update_rows(changed, ROW_FIELDS)


def node_ids(pubkeys: Iterable[str]) -> dict[str, int]:
    """{pubkey: row id} for these pubkeys (all of which must have rows)."""
    wanted = sorted(set(pubkeys))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        found.update(ServiceNode.objects.filter(pubkey__in=chunk).values_list("pubkey", "id"))
    missing = set(wanted) - found.keys()
    if missing:
        raise RuntimeError(f"no ServiceNode row for {len(missing)} pubkeys, e.g. {min(missing)}")
    return found


def _stored_nodes(height: int, cache: dict[int, dict[str, NodeFacts]]) -> dict[str, NodeFacts]:
    if height not in cache:
        snapshot = ServiceNodeSnapshot.objects.only("payload", "payload_codec", "payload_base").get(height=height)
        cache[height] = parse_snapshot(json.loads(snapshot.canonical_json())).nodes
    return cache[height]


def restore_nodes_before(height: int) -> None:
    """Put node rows back as they were before the snapshot at `height` was applied.

    Rows first seen at or after `height` are deleted (their intervals must be gone already).
    Rows changed since are rebuilt from their listing history, taking their facts from the stored
    snapshot that last listed them below `height`. A restored row's `updated_height` becomes that
    snapshot's height (or the height it left the list): never later than its true last change.
    """
    ServiceNode.objects.filter(first_seen_height__gte=height).delete()
    parsed: dict[int, dict[str, NodeFacts]] = {}
    changed: list[ServiceNode] = []
    touched = Q(updated_height__gte=height) | Q(gone_height__gte=height) | Q(listed_since_height__gte=height)
    for node in ServiceNode.objects.filter(touched):
        listings = [list(listing) for listing in node.listings if listing[0] < height]
        first, last_seen, gone = listings[-1]
        if gone is not None and gone >= height:
            last_seen = gone = None
        listings[-1] = [first, last_seen, gone]
        if gone is None:  # listed by the latest snapshot below `height`
            source = ServiceNodeSnapshot.objects.filter(height__lt=height).order_by("-height").values_list(
                "height", flat=True
            ).first()
        else:
            source = last_seen
        if source is None:
            raise RuntimeError(f"node {node.pubkey} has no stored snapshot below {height} to restore from")
        _set_facts(node, _stored_nodes(source, parsed)[node.pubkey])
        node.listings = listings
        node.listed_since_height, node.last_seen_height, node.gone_height = first, last_seen, gone
        node.updated_height = gone if gone is not None else source
        changed.append(node)
    update_rows(changed, ROW_FIELDS)
