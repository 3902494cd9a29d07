"""The running maximum of block timestamps per snapshot, indexed with the height.

It never decreases with height, so "the first snapshot whose block time is at or after t" is one
index lookup per registration instead of a scan of every snapshot (see `snapshot_starts`).
Existing rows are filled in height order.
"""

from django.db import migrations, models


def fill_running_max(apps, schema_editor):  # type: ignore[no-untyped-def]
    snapshot_model = apps.get_model("bonuses", "ServiceNodeSnapshot")
    high = None
    for snapshot in snapshot_model.objects.order_by("height").only("id", "block_timestamp").iterator():
        if snapshot.block_timestamp is not None:
            high = snapshot.block_timestamp if high is None else max(high, snapshot.block_timestamp)
        snapshot_model.objects.filter(pk=snapshot.pk).update(block_time_high=high)


class Migration(migrations.Migration):

    dependencies = [
        ("bonuses", "0002_block_timestamp_unix_seconds"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicenodesnapshot",
            name="block_time_high",
            field=models.PositiveBigIntegerField(
                blank=True,
                help_text="the highest block timestamp of the snapshots up to this height (a running maximum, so it "
                "never decreases with height): the time axis on which a late registration finds its first snapshot",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="servicenodesnapshot",
            index=models.Index(fields=["block_time_high", "height"], name="snapshot_time_high_height"),
        ),
        migrations.RunPython(fill_running_max, migrations.RunPython.noop),
    ]
