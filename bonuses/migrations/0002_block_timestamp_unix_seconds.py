"""Store the block timestamp as oxend reports it, integer unix seconds.

Drop and re-add rather than alter: PostgreSQL cannot cast timestamptz to bigint, and no snapshot
had been captured with the datetime column yet. Loading 200,000 timestamps as integers is several
times faster than as datetimes, which the full bonus recompute needs (see bench/bonus.py).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("bonuses", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="servicenodesnapshot", name="block_timestamp"),
        migrations.AddField(
            model_name="servicenodesnapshot",
            name="block_timestamp",
            field=models.PositiveBigIntegerField(
                blank=True,
                db_index=True,
                help_text="the block header's timestamp, unix seconds, as oxend reports it (chain time); empty if unknown",
                null=True,
            ),
        ),
    ]
