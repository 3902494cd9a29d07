"""Service Node Bonus use cases: ingestion, capture, allocations, entitlements, the leaderboard."""
