"""Loading recorded `get_service_nodes` results, for the simulator to replay block by block.

A recording is what the snapshot task stores: the RPC's JSON. A file may hold one result, a list
of results, or full JSON-RPC responses (`{"jsonrpc": …, "result": {…}}`); a directory means every
`*.json` file in it. Each result needs an integer `height`, a `block_hash` string and a
`service_node_states` list; polls that came back `unchanged` carry no list and are skipped.
Parsed with the stdlib `json`, so amounts stay exact integers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class HistoryError(ValueError):
    """A recording the simulator cannot replay; the message names the file and the problem."""


def _results_in(data: Any) -> list[Any]:
    items = data if isinstance(data, list) else [data]
    return [
        item["result"] if isinstance(item, dict) and isinstance(item.get("result"), dict) else item for item in items
    ]


def load_history(path: str | Path) -> list[dict[str, Any]]:
    """The recorded results under `path`, sorted by height."""
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise HistoryError(f"no *.json files in {path}")
    results: list[dict[str, Any]] = []
    for file in files:
        try:
            data = json.loads(file.read_text())
        except (OSError, ValueError) as error:
            raise HistoryError(f"{file}: {error}") from None
        for result in _results_in(data):
            if not isinstance(result, dict):
                raise HistoryError(f"{file}: a recorded result must be a JSON object")
            if result.get("unchanged") is True:
                continue
            if type(result.get("height")) is not int or not isinstance(result.get("block_hash"), str):
                raise HistoryError(f"{file}: a recorded result needs an integer height and a block_hash")
            if not isinstance(result.get("service_node_states"), list):
                raise HistoryError(f"{file}: the result at height {result['height']} has no service_node_states")
            results.append(result)
    if not results:
        raise HistoryError(f"{path}: no replayable result")
    return sorted(results, key=lambda r: r["height"])
