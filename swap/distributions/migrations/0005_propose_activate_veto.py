"""Root safety: rounds are proposed, wait out the activation delay, then are activated (or vetoed).

`published` becomes `proposed`, `confirmed` becomes `active` (its activation is the old publishing
transaction, which made the root claimable at once). Round numbers stay unique but for vetoed
rounds, whose number the next round takes again on chain. SQLite rebuilds the table to change
constraints, which drops its triggers and trips over triggers naming it: the immutability
triggers of migrations 0002 and 0004 are dropped first and made again at the end.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

FROZEN_TRIGGERS = importlib.import_module("swap.distributions.migrations.0002_immutability_triggers")
LATE_ENTRY_TRIGGERS = importlib.import_module("swap.distributions.migrations.0004_refuse_entries_into_frozen_rounds")
SQLITE_ROUND_TRIGGERS = ("distributions_round_guard", "distributions_entry_only_into_drafts")


def statuses_forward(apps, schema_editor):
    DistributionRound = apps.get_model("distributions", "DistributionRound")
    L2Transaction = apps.get_model("chain", "L2Transaction")
    rounds = DistributionRound.objects.using(schema_editor.connection.alias)
    # Bulk updates through the historical model: the custom queryset guard is not in play here.
    for round_ in rounds.filter(status="confirmed"):
        tx = L2Transaction.objects.using(schema_editor.connection.alias).get(pk=round_.propose_tx_id)
        rounds.filter(pk=round_.pk).update(
            status="active", activated_tx_hash=tx.tx_hash, activated_at=round_.activated_at or round_.proposed_at,
        )
    rounds.filter(status="published").update(status="proposed")


def statuses_backward(apps, schema_editor):
    rounds = apps.get_model("distributions", "DistributionRound").objects.using(schema_editor.connection.alias)
    if rounds.filter(status__in=["pending", "vetoed"]).exists():
        raise RuntimeError("pending or vetoed rounds have no status before migration 0005")
    rounds.filter(status="active").update(status="confirmed")
    rounds.filter(status="proposed").update(status="published")


def drop_sqlite_round_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_ROUND_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


def make_sqlite_round_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    drop_sqlite_round_triggers(apps, schema_editor)
    for statement in [*FROZEN_TRIGGERS.SQLITE, *LATE_ENTRY_TRIGGERS.SQLITE]:
        if any(name in statement for name in SQLITE_ROUND_TRIGGERS):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("chain", "0003_propose_activate_purposes"),
        ("distributions", "0004_refuse_entries_into_frozen_rounds"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_round_triggers, make_sqlite_round_triggers),
        migrations.AlterModelOptions(
            name="distributionround",
            options={"ordering": ["-number"], "permissions": [
                ("freeze_round", "Can freeze a distribution round"),
                ("publish_round", "Can publish a round's root on the L2 (propose; activation follows)"),
                ("run_payouts", "Can start payout batches"),
            ]},
        ),
        migrations.RemoveConstraint(model_name="distributionround", name="round_published_has_tx"),
        migrations.RemoveConstraint(model_name="distributionround", name="round_status_valid"),
        migrations.RenameField(model_name="distributionround", old_name="publish_tx", new_name="propose_tx"),
        migrations.RenameField(model_name="distributionround", old_name="published_at", new_name="proposed_at"),
        migrations.RenameField(model_name="distributionround", old_name="confirmed_at", new_name="activated_at"),
        migrations.AlterField(
            model_name="distributionround", name="propose_tx",
            field=models.ForeignKey(
                blank=True, help_text="the transaction that proposes this root to the distributor", null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="chain.l2transaction",
            ),
        ),
        migrations.AddField(
            model_name="distributionround", name="activate_tx",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="chain.l2transaction",
                help_text="the service's activation transaction (empty when someone else activated it first)",
            ),
        ),
        migrations.AddField(
            model_name="distributionround", name="activates_at",
            field=models.DateTimeField(blank=True, help_text="from the RootProposed event", null=True),
        ),
        migrations.AddField(
            model_name="distributionround", name="activated_tx_hash",
            field=models.CharField(blank=True, help_text="the transaction that activated it", max_length=66),
        ),
        migrations.AddField(
            model_name="distributionround", name="vetoed_tx_hash",
            field=models.CharField(blank=True, help_text="the guardian's veto", max_length=66),
        ),
        migrations.AddField(
            model_name="distributionround", name="vetoed_at", field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="distributionround", name="status",
            field=models.CharField(
                choices=[("draft", "draft"), ("frozen", "frozen (entries and root fixed)"),
                         ("proposed", "proposed (proposal sent to the distributor)"),
                         ("pending", "pending activation (proposal final on chain, delay running)"),
                         ("active", "active (root claimable on chain)"),
                         ("vetoed", "vetoed by the guardian (never claimable)")],
                db_index=True, default="draft", max_length=10,
            ),
        ),
        migrations.RunPython(statuses_forward, statuses_backward),
        migrations.AlterField(
            model_name="distributionround", name="number",
            field=models.PositiveIntegerField(help_text="the distributor's round id; unique but for vetoed rounds"),
        ),
        migrations.AddConstraint(
            model_name="distributionround",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "frozen", "proposed", "pending", "active", "vetoed"])),
                name="round_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="distributionround",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("status__in", ["proposed", "pending"]), _negated=True),
                                   ("propose_tx__isnull", False), _connector="OR"),
                name="round_proposed_has_tx",
            ),
        ),
        migrations.AddConstraint(
            model_name="distributionround",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("status", "pending"), _negated=True), ("activates_at__isnull", False),
                                   _connector="OR"),
                name="round_pending_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="distributionround",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "active"), _negated=True),
                    models.Q(models.Q(("activated_tx_hash", ""), _negated=True), ("activated_at__isnull", False)),
                    _connector="OR",
                ),
                name="round_active_has_activation",
            ),
        ),
        migrations.AddConstraint(
            model_name="distributionround",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["proposed", "pending"])), fields=("distributor_address",),
                name="round_one_in_flight",
            ),
        ),
        migrations.AddConstraint(
            model_name="distributionround",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "vetoed"), _negated=True), fields=("number",),
                name="round_number_unique",
            ),
        ),
        migrations.RunPython(make_sqlite_round_triggers, drop_sqlite_round_triggers),
    ]
