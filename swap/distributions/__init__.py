"""Distribution rounds: cumulative entitlements frozen into Merkle trees (SPEC §5–6)."""
