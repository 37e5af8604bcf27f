"""Material.key: a slug stable across matter versions. Existing rows get m1, m2, … in their order."""

from django.db import migrations, models

import apps.shared.catalog.models


def backfill_keys(apps, schema_editor):
    Material = apps.get_model("catalog", "Material")
    index: dict[int, int] = {}
    for material in Material.objects.order_by("matter_id", "position", "id").only("id", "matter_id"):
        index[material.matter_id] = index.get(material.matter_id, 0) + 1
        Material.objects.filter(id=material.id).update(key=f"m{index[material.matter_id]}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_correction_restarts_clock"),
    ]

    operations = [
        migrations.AddField(
            model_name="material",
            name="key",
            field=models.SlugField(default="", max_length=64, verbose_name="材料标识"),
            preserve_default=False,
        ),
        migrations.RunPython(backfill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="material",
            name="key",
            field=models.SlugField(default=apps.shared.catalog.models.material_key_new, max_length=64, verbose_name="材料标识"),
        ),
        migrations.AddConstraint(
            model_name="material",
            constraint=models.UniqueConstraint(fields=("matter", "key"), name="material_key_unique_per_matter"),
        ),
    ]
