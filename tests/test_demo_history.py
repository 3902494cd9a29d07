"""The demo's bundled history: exactly what its generator writes, readable by the importer, realistic.

No database and no network: the archive is unpacked into a temporary directory and read as the
importer and the simulator read it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from swap.core.snapshot_format import parse_snapshot
from swap.demo.history import (
    PROGRAM_FINAL_HEIGHT,
    PROGRAM_START_HEIGHT,
    STEP_BLOCKS,
    block_hash,
    extract_archive,
    generate_history,
)
from swap.demo.wallets import demo_wallet
from swap.simulator.chain import SimChain


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict[str, Any]]]:
    files = extract_archive(tmp_path_factory.mktemp("history"))
    return [(path, json.loads(path.read_bytes())) for path in files]


def test_the_archive_is_exactly_what_the_generator_writes(recorded: list[tuple[Path, dict[str, Any]]]) -> None:
    generated = list(generate_history())
    assert len(generated) == len(recorded)
    for result, (path, _) in zip(generated, recorded, strict=True):
        assert path.name == f"{result['height']}.json"
        assert path.read_bytes() == json.dumps(result, separators=(",", ":")).encode()


def test_every_file_parses_as_a_snapshot_on_the_simulators_chain(recorded: list[tuple[Path, dict[str, Any]]]) -> None:
    chain = SimChain(length=recorded[-1][1]["height"] + 1)  # the simulator's default seed, as the demo runs it
    for _, result in recorded:
        parsed = parse_snapshot(result)
        assert parsed.block_hash == block_hash(parsed.height) == chain.block_hash(parsed.height)
        assert result["block_timestamp"] == chain.timestamp(parsed.height)


def test_the_history_is_realistic(recorded: list[tuple[Path, dict[str, Any]]]) -> None:
    heights = [result["height"] for _, result in recorded]
    assert heights[0] < PROGRAM_START_HEIGHT < PROGRAM_FINAL_HEIGHT <= heights[-1]
    assert heights[-1] - heights[0] >= 3_000
    gaps = [b - a for a, b in zip(heights, heights[1:], strict=False)]
    assert sorted(set(gaps)) == [STEP_BLOCKS, 4 * STEP_BLOCKS], "one outage, otherwise a snapshot every 30 blocks"

    states: dict[str, list[str]] = {}
    for _, result in recorded:
        nodes = result["service_node_states"]
        assert len(nodes) >= 200
        for node in nodes:
            state = "active" if node["active"] else "decommissioned" if node["funded"] else "awaiting"
            states.setdefault(node["service_node_pubkey"], []).append(state)
    first = {n["service_node_pubkey"] for n in recorded[0][1]["service_node_states"]}
    last = {n["service_node_pubkey"] for n in recorded[-1][1]["service_node_states"]}
    assert len(last - first) >= 10, "nodes join"
    assert len(first - last) >= 5, "nodes leave (unlocked or deregistered)"
    recommissioned = [p for p, seen in states.items() if "decommissioned" in seen and seen[-1] == "active"]
    filled = [p for p, seen in states.items() if seen[0] == "awaiting" and "active" in seen]
    assert len(recommissioned) >= 5 and len(filled) >= 5, "decommissions and contributions that fill a node"
    operators = {n["operator_address"] for _, result in recorded for n in result["service_node_states"]}
    assert demo_wallet(0).address in operators and len(operators) >= 150
