"""Ship the default scheme (v1, the seed's 30/35/35, if none exists) and a second, inactive one (试行)
that weighs the process indicators (过程性指标): an admin activates it from a month on."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

TRIAL = {
    "weight_response": Decimal("0.20"), "weight_resolution": Decimal("0.25"), "weight_satisfaction": Decimal("0.25"),
    "weight_signed": Decimal("0.05"), "weight_on_time": Decimal("0.05"), "weight_returns": Decimal("0.05"),
    "weight_rehandles": Decimal("0.05"), "weight_extensions": Decimal("0.00"), "weight_overdue": Decimal("0.05"),
    "weight_false_feedback": Decimal("0.05"),
}


def ship(apps, schema_editor):
    Scheme = apps.get_model("assessment", "Scheme")
    city = Scheme.objects.filter(district__isnull=True)
    if not city.exists():
        Scheme.objects.create(version=1, name="默认", valid_from=dt.date(2000, 1, 1))
    if not city.filter(name="试行").exists():
        version = (city.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        Scheme.objects.create(
            version=version, name="试行", is_active=False, valid_from=dt.date(2027, 1, 1),
            note="过程性指标占 30%：在管理后台启用，并设置适用的起始月份。", **TRIAL,
        )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0007_due_month_rules")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
