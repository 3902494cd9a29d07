"""The leaderboard page, the bonus API and the status-page section, through the Django test client."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from snb_scenarios import ETH_1, ETH_2, ETH_3, Wallet, node, result

from bonuses.services.ingest import ingest_snapshot
from bonuses.services.leaderboard import current_leaderboard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("snb")]
EARLY = datetime(2023, 10, 1, tzinfo=UTC)


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    """Four registered wallets (two sharing ETH_2, one with no stake) on one node for 15 blocks."""
    top, twin_a, twin_b, idle = (Wallet(f"pages-{name}") for name in ("top", "twin-a", "twin-b", "idle"))
    top.register(ETH_1, at=EARLY)
    twin_a.register(ETH_2, at=EARLY)
    twin_b.register(ETH_2, at=EARLY)
    idle.register(ETH_3, at=EARLY)
    nodes = [node("n1", (top.address, 10_000), (twin_a.address, 2_500), (twin_b.address, 2_500))]
    ingest_snapshot(result(1000, *nodes), source="import")
    ingest_snapshot(result(1015, *nodes), source="import")
    # 15 blocks: top 10,000 × 15 / 15,000 = 10 points; each twin 2,500 × 15 / 15,000 = 2.5 points.
    # Estimates: 30,000,000 SESH × 10/15 = 20,000,000; × 2.5/15 = 5,000,000 each.
    return {"top": top, "twin_a": twin_a, "twin_b": twin_b, "idle": idle}


def test_the_leaderboard_ranks_registered_addresses_with_ties_sharing_a_rank(client, people):
    response = client.get("/bonus/")
    assert response.status_code == 200
    page = response.content.decode()
    top = people["top"].address
    assert f"{top[:6]}…{top[-6:]}" in page and top not in page.replace(f'title="{top}"', "")
    board = response.context["board"]
    ranks = [(entry.rank, entry.points, entry.estimated_sesh_atomic) for entry in board.ranked]
    assert ranks == [(1, "10.000000", 20_000_000 * 10**9), (2, "2.500000", 5_000_000 * 10**9),
                     (2, "2.500000", 5_000_000 * 10**9)]
    assert "20,000,000 SESH" in page and 'id="snapshot-height">1015<' in page
    assert response["Content-Security-Policy"]


def test_looking_up_a_full_address_shows_its_row(client, people):
    page = client.get("/bonus/", {"address": people["twin_b"].address}).content.decode()
    assert 'id="lookup-result"' in page and "2 of 3" in page and ETH_2 in page
    idle = client.get("/bonus/", {"address": people["idle"].address}).content.decode()
    assert "no points yet" in idle


def test_a_malformed_or_unknown_lookup_says_why(client, people):
    bad = client.get("/bonus/", {"address": "not-an-address"})
    assert bad.status_code == 400 and 'id="lookup-error"' in bad.content.decode()
    unknown = client.get("/bonus/", {"address": Wallet("pages-stranger").address})
    assert unknown.status_code == 200 and 'id="lookup-missing"' in unknown.content.decode()


def test_the_api_answers_one_address(client, people):
    response = client.get(f"/api/v1/bonus/{people['top'].address}/")
    assert response.status_code == 200
    assert response.json() == {
        "oxen_address": people["top"].address,
        "eth_address": ETH_1,
        "rank": 1,
        "stake_blocks": str(10_000 * 10**9 * 15),
        "points": "10.000000",
        "estimated_sesh_atomic": str(20_000_000 * 10**9),
        "snapshot_height": 1015,
        "total_stake_blocks": str(15_000 * 10**9 * 15),
        "pool_atomic": str(30_000_000 * 10**9),
    }
    assert client.get(f"/api/v1/bonus/{people['idle'].address}/").json()["rank"] is None


def test_the_api_refuses_malformed_and_unknown_addresses(client, people):
    malformed = client.get("/api/v1/bonus/0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed/")
    assert malformed.status_code == 400
    assert malformed.json()["errors"]["oxen_address"][0]["message"]
    unknown = client.get(f"/api/v1/bonus/{Wallet('pages-stranger').address}/")
    assert unknown.status_code == 404 and unknown.json()["errors"]["oxen_address"][0]["code"] == "not_registered"


def test_the_api_says_when_there_is_no_snapshot_yet(client):
    response = client.get(f"/api/v1/bonus/{Wallet('pages-early').address}/")
    assert response.status_code == 503


def test_the_leaderboard_is_computed_once_per_snapshot(people, django_assert_max_num_queries):
    current_leaderboard()
    with django_assert_max_num_queries(1):  # only "which snapshot is the latest?"
        current_leaderboard()
    ingest_snapshot(result(1020, node("n1", (people["top"].address, 15_000))), source="import")
    assert current_leaderboard().snapshot_height == 1020


def test_the_status_page_shows_the_points_of_the_registered_address(client, people):
    page = client.get("/status/", {"q": people["top"].address}).content.decode()
    assert "Staking Points" in page and "10.000000" in page
    by_eth = client.get("/status/", {"q": ETH_2}).content.decode()
    assert by_eth.count("2.500000") == 2
