import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The unit's reply (双反馈) joins feedback, with its rows: dispatch's migration 0012 renamed the table;
    here feedback takes the model over in the migration state only."""

    dependencies = [
        ("dispatch", "0012_reply_moves_to_feedback"),
        ("feedback", "0005_outgoing_message_moves_to_intake"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Reply",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("contacted", models.BooleanField(verbose_name="contacted the citizen")),
                        (
                            "resolved",
                            models.CharField(
                                choices=[("resolved", "Resolved"), ("partly", "Partly resolved"), ("unresolved", "Unresolved")],
                                max_length=12,
                                verbose_name="result",
                            ),
                        ),
                        ("reply_to_citizen", models.TextField(verbose_name="reply to the citizen")),
                        ("reply_to_hotline", models.TextField(verbose_name="reply to the hotline")),
                        ("contacted_at", models.DateTimeField(blank=True, null=True, verbose_name="contacted at")),
                        (
                            "contact_method",
                            models.CharField(
                                blank=True,
                                choices=[("phone", "Phone"), ("visit", "Visit"), ("message", "Text message"), ("other", "Other")],
                                max_length=12,
                                verbose_name="contacted by",
                            ),
                        ),
                        ("at", models.DateTimeField(verbose_name="at")),
                        (
                            "review",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting for the hotline's check"),
                                    ("accepted", "Accepted"),
                                    ("sent_back", "Sent back"),
                                ],
                                default="pending",
                                max_length=12,
                                verbose_name="review",
                            ),
                        ),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        ("review_note", models.TextField(blank=True, verbose_name="review note")),
                        (
                            "by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="replies",
                                to="dispatch.workorder",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"ordering": ["-at"]},
                ),
            ],
        ),
    ]
