import django.db.models.deletion
from django.db import migrations, models

import hotline.core.fields


class Migration(migrations.Migration):
    """Text messages to callers join intake, with their rows: feedback's migration 0005 renamed the table
    (and runs before this one); here intake takes the model over in the migration state only."""

    dependencies = [
        ("intake", "0008_callers_encrypted_at_rest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingMessage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("phone", hotline.core.fields.EncryptedTextField(clear_max_length=32)),
                        ("text", models.TextField()),
                        ("at", models.DateTimeField()),
                        (
                            "demand",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="intake.demand"
                            ),
                        ),
                    ],
                    options={"ordering": ["-at"]},
                ),
            ],
        ),
    ]
