import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0004_scheduledquestionnaire_public_id_populate")]

    operations = [
        migrations.AlterField(
            model_name="scheduledquestionnaire",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
