"""Use cases of distributions: rounds (freeze, publish, confirm), payouts, the claim index."""
