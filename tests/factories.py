import factory
from factory.django import DjangoModelFactory

from hotline.core.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password(PASSWORD)
    role = "handler"


def make_demand(
    *,
    category="010101",
    street="110101001",
    demand_type="complaint",
    urgency="normal",
    received_at=None,
    phone="13812345678",
    name="王小明",
    content="小区门口有人占道经营，影响通行。",
    address="北京市东城区东华门街道南池子大街1号",
    by=None,
    confidential=False,
    channel="phone",
    **extra,
):
    """A demand taken through the real services (recorded by intake, routed by the real catalogue)."""
    from dispatch.services import demand_take
    from hotline.core.models import Category, Unit

    return demand_take(
        channel=channel,
        demand_type=demand_type,
        category=Category.objects.get(code=category),
        content=content,
        caller_phone=phone,
        caller_name=name,
        confidential=confidential,
        address=address,
        street=Unit.objects.get(code=street) if street else None,
        urgency=urgency,
        received_at=received_at,
        by=by,
        **extra,
    )


def main_order(demand):
    return demand.work_orders.get(role="main")


def wipe(*querysets) -> None:
    """Delete test data that carries audit rows (orders, demands, articles): the audit tables are
    append-only in PostgreSQL (hotline/core/audit.py), so the deletes run with triggers set aside for
    deletes' own transaction only."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for queryset in querysets:
            queryset.delete()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
