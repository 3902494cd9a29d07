"""Root safety: the outbox's purposes are what it may sign (propose, activate, payout batches).

Rows that published a root become `propose_root` rows; older deployment, funding and role rows
keep their purposes for the record, but the outbox no longer signs anything of theirs.
"""

from django.db import migrations, models

PURPOSES = [
    ("propose_root", "propose a round's Merkle root"),
    ("activate_root", "activate a pending root after its delay"),
    ("payout_batch", "batch claim for accounts that asked for delivery"),
    ("deploy", "contract deployment (before root safety)"),
    ("fund", "token transfer or mint to the distributor (before root safety)"),
    ("admin", "role or pause change (before root safety)"),
    ("other", "other"),
]


def forward(apps, schema_editor):
    L2Transaction = apps.get_model("chain", "L2Transaction")
    L2Transaction.objects.using(schema_editor.connection.alias).filter(purpose="publish_root").update(
        purpose="propose_root"
    )


def backward(apps, schema_editor):
    L2Transaction = apps.get_model("chain", "L2Transaction")
    rows = L2Transaction.objects.using(schema_editor.connection.alias)
    if rows.filter(purpose="activate_root").exists():
        raise RuntimeError("activation transactions have no purpose before migration 0003")
    rows.filter(purpose="propose_root").update(purpose="publish_root")


class Migration(migrations.Migration):
    dependencies = [("chain", "0002_attempt_kind")]

    operations = [
        migrations.RemoveConstraint(model_name="l2transaction", name="l2tx_purpose_valid"),
        migrations.AlterField(
            model_name="l2transaction", name="purpose", field=models.CharField(choices=PURPOSES, max_length=20),
        ),
        migrations.RunPython(forward, backward),
        migrations.AddConstraint(
            model_name="l2transaction",
            constraint=models.CheckConstraint(
                condition=models.Q(("purpose__in", [value for value, _ in PURPOSES])), name="l2tx_purpose_valid"
            ),
        ),
    ]
