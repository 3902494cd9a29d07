"""Snapshot payloads may be zstd deltas against an earlier snapshot stored whole (a keyframe).

Every existing row was stored whole with zlib: it gets `payload_codec = "zlib"` and no base, and
decodes exactly as before. New rows name their codec; a delta names its keyframe, and the foreign
key (checked by the database, no cascade) keeps a keyframe from being deleted before its deltas.
The digests' help texts follow their new definition (`swap/core/snapshot_format.py`).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("bonuses", "0003_snapshot_block_time_high"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicenodesnapshot",
            name="payload_codec",
            field=models.CharField(
                choices=[("zlib", "zlib"), ("zstd", "zstd")], default="zlib",
                help_text="how the payload is compressed", max_length=8,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="servicenodesnapshot",
            name="payload_base",
            field=models.ForeignKey(
                blank=True,
                help_text="the keyframe whose canonical JSON this payload is a zstd delta against; empty: stored whole",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="bonuses.servicenodesnapshot",
            ),
        ),
        migrations.AlterField(
            model_name="servicenodesnapshot",
            name="payload",
            field=models.BinaryField(help_text="compressed canonical JSON of the get_service_nodes result"),
        ),
        migrations.AlterField(
            model_name="servicenodesnapshot",
            name="stakes_digest",
            field=models.CharField(help_text="sha256 of the earning stakes, in pubkey order", max_length=64),
        ),
        migrations.AlterField(
            model_name="servicenodesnapshot",
            name="nodes_digest",
            field=models.CharField(help_text="sha256 of the node facts kept in ServiceNode, in pubkey order", max_length=64),
        ),
        migrations.AddConstraint(
            model_name="servicenodesnapshot",
            constraint=models.CheckConstraint(
                condition=models.Q(("payload_base__isnull", True), ("payload_codec", "zstd"), _connector="OR"),
                name="snapshot_delta_is_zstd",
            ),
        ),
    ]
