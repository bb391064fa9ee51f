"""Give every existing scheduled questionnaire its own public id (see 0003 and 0005)."""

import uuid

from django.db import migrations

BATCH = 1000


def populate(apps, schema_editor):
    ScheduledQuestionnaire = apps.get_model("outcomes", "ScheduledQuestionnaire")
    pending = ScheduledQuestionnaire.objects.filter(public_id__isnull=True).only("pk")
    while True:
        rows = list(pending[:BATCH])
        if not rows:
            break
        for row in rows:
            row.public_id = uuid.uuid4()
        ScheduledQuestionnaire.objects.bulk_update(rows, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0003_followup")]

    operations = [migrations.RunPython(populate, migrations.RunPython.noop, elidable=True)]
