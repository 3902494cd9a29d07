"""The top of the layers: what reads across both programs and the shared core.

Reconciliation (`reconciliation`), the allocation explanation (`explanation`), the admin pages
that show them (`admin_views`) and the rules in force on the home page (`rules`). Nothing below
imports this package; it may import anything (`docs/architecture.md`, "Layers").
"""
