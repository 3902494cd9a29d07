"""`sesh-verify URL`: a round read file by file over HTTP, fetching only the payloads of the snapshots it checks.

The round's files are served as the service serves them (`/api/v1/rounds/N/bundle/<path>`, each
file alone; `test_bundle.py` checks the service's bytes equal the archive's) by a real HTTP server
over a socket, which records what was asked for.
"""

from __future__ import annotations

import io
import json
import tarfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sesh_verify.cli import main

from swap.core import bundle_format as fmt
from tests.bundles.conftest import FrozenRound

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


class Recording(SimpleHTTPRequestHandler):
    asked: list[str]

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self.asked.append(self.path)
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served(frozen_round: FrozenRound, tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """The round's files under http://127.0.0.1:<port>/api/v1/rounds/1/bundle/, and the paths asked for."""
    with tarfile.open(fileobj=io.BytesIO(frozen_round.archive), mode="r:gz") as tar:
        tar.extractall(tmp_path, filter="data")
    directory = tmp_path / "site" / "api" / "v1" / "rounds" / "1" / "bundle"
    directory.parent.mkdir(parents=True)
    (tmp_path / "round-1").rename(directory)
    asked: list[str] = []
    handler = partial(type("Handler", (Recording,), {"asked": asked}), directory=str(tmp_path / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/rounds/1/bundle/", directory, asked
    finally:
        server.shutdown()
        server.server_close()


def test_a_sample_reads_only_the_payloads_it_checks(served: tuple[str, Path, list[str]], capsys) -> None:
    url, directory, asked = served
    assert main([url, "--sample", "1", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("ok: every published amount recomputed from the bundle")
    snapshots = json.loads((directory / fmt.MANIFEST).read_bytes())["snapshots"]
    fetched = {path.rsplit("/bundle/", 1)[1] for path in asked if "/snapshots/" in path}
    assert 2 <= len(fetched) < len(snapshots)
    assert "payloads are read by URL when checked" in out
    assert "/api/v1/rounds/1/chain.json" in asked  # looked for beside the bundle: not on chain yet (404)


def test_a_fetched_payload_that_is_not_the_manifest_s_is_named(served: tuple[str, Path, list[str]], capsys) -> None:
    url, directory, _ = served
    first = json.loads((directory / fmt.MANIFEST).read_bytes())["snapshots"][0]  # always checked
    payload = directory / first["file"]
    payload.write_bytes(payload.read_bytes()[:-1] + b"\0")
    assert main([url, "--sample", "1"]) == 1
    assert capsys.readouterr().err.startswith(f"FAILED files: {first['file']}: its sha256 ")
    payload.unlink()
    assert main([url, "--sample", "1"]) == 1
    assert capsys.readouterr().err.startswith(f"FAILED files: {first['file']}: cannot fetch {url}{first['file']}: ")
