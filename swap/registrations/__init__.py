"""Registrations: which ETH address each Oxen wallet proved it owns (SPEC §2)."""
