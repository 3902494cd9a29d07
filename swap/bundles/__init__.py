"""Per-round bundles of raw inputs (issue 19): built at freeze, served, checked by `verifier/`."""
