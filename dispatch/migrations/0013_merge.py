import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """重复件 become dispatch's record (Merge): intake's Demand.merged_into is copied here, then intake 0010
    drops it, so that intake's model names no model of dispatch."""

    dependencies = [
        ("dispatch", "0012_reply_moves_to_feedback"),
        ("intake", "0009_outgoingmessage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    # Intake's own migrations never name an app above it: the order is declared here.
    run_before = [("intake", "0010_remove_demand_merged_into")]

    operations = [
        migrations.CreateModel(
            name="Merge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "demand",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merge",
                        to="intake.demand",
                        verbose_name="demand",
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="at")),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merges",
                        to="dispatch.workorder",
                        verbose_name="merged into",
                    ),
                ),
            ],
            options={"verbose_name": "merged call (重复件)", "verbose_name_plural": "merged calls (重复件)"},
        ),
        # Every merged call keeps its order, the moment it was received (when it was merged) and its agent.
        migrations.RunSQL(
            "INSERT INTO dispatch_merge (demand_id, order_id, at, by_id) "
            "SELECT id, merged_into_id, received_at, created_by_id FROM intake_demand WHERE merged_into_id IS NOT NULL",
            reverse_sql="UPDATE intake_demand d SET merged_into_id = m.order_id FROM dispatch_merge m WHERE m.demand_id = d.id",
        ),
    ]
