"""Exact running counts that a scrape reads in one small query (docs/operations.md, metrics).

Counting a million rows takes PostgreSQL 40–100 ms, so `/metrics` never counts a big table.
Two kinds of count live in one table, `Tally`:

- *row tallies* (`triggers.py`): database triggers keep, per table and per label, the number of
  rows and the sum of an amount, in the same transaction as every INSERT, UPDATE and DELETE,
  whatever code (ORM, bulk_create, raw SQL, admin) wrote them;
- *event counters* (`counters.py`): refusals, rate-limit hits and task failures, counted by one
  atomic UPSERT. A row in the database, not a per-process counter, so every gunicorn and Celery
  process adds to the same number and a restart loses nothing.
"""
