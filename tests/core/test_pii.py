"""Citizens' names and phone numbers are encrypted at rest, looked up by a keyed blind index, and the
keys can be rotated without losing a row."""

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from dispatch.selectors import caller_history
from hotline.core import pii
from intake.models import Demand
from tests.factories import make_demand

KEY_A = "a:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
KEY_B = "b:QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
INDEX = "Q0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0M="


@pytest.fixture
def keys(settings):
    def use(ring, index=INDEX):
        settings.HOTLINE_PII_KEYS, settings.HOTLINE_PII_INDEX_KEY = ring, index
        pii.reset()

    yield use
    pii.reset()


def stored(demand_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT caller_name, caller_phone, caller_phone_index FROM intake_demand WHERE id = %s", [demand_id]
        )
        return cursor.fetchone()


def test_the_database_holds_no_callers_name_or_number(reference, keys):
    keys(KEY_A)
    demand = make_demand(phone="13812345678", name="王小明")
    name, phone, index = stored(demand.pk)
    assert name.startswith("v1:a:") and phone.startswith("v1:a:")
    assert "王小明" not in name and "13812345678" not in phone + index
    assert stored(make_demand(phone="13812345678", name="王小明").pk)[1] != phone  # no two alike
    fresh = Demand.objects.get(pk=demand.pk)
    assert (fresh.caller_name, fresh.caller_phone) == ("王小明", "13812345678")
    # Caller history still finds the caller, by the index.
    assert [d.pk for d in caller_history("13812345678")][-1] == demand.pk
    assert caller_history("13812345679") == []


def test_filtering_on_ciphertext_is_refused_not_silently_empty(reference):
    with pytest.raises(FieldError, match="blind index"):
        Demand.objects.filter(caller_phone="13812345678").exists()


def test_a_key_rotation_re_encrypts_every_row_and_loses_none(reference, keys):
    keys(KEY_A)
    demand = make_demand(phone="13912345678", name="李四")
    keys(f"{KEY_B},{KEY_A}")  # the new key first; the old one still decrypts
    assert Demand.objects.get(pk=demand.pk).caller_name == "李四"
    call_command("rotatepii")
    assert stored(demand.pk)[0].startswith("v1:b:")
    keys(KEY_B)  # the old key dropped: every row is still readable
    assert Demand.objects.get(pk=demand.pk).caller_phone == "13912345678"
    # A new index key: --reindex recomputes the blind index, and lookups work again.
    keys(KEY_B, index="RERERERERERERERERERERERERERERERERERERERERERE=")
    assert caller_history("13912345678") == []
    call_command("rotatepii", "--reindex")
    assert [d.pk for d in caller_history("13912345678")] == [demand.pk]


def test_rows_written_before_encryption_are_encrypted_by_the_migration_step(reference, keys):
    keys(KEY_A)
    demand = make_demand(phone="13700001111", name="赵六")
    with connection.cursor() as cursor:  # as a database from before this change held it
        cursor.execute(
            "UPDATE intake_demand SET caller_name = '赵六', caller_phone = '13700001111', "
            "caller_phone_index = '' WHERE id = %s",
            [demand.pk],
        )
    assert (
        pii.encrypt_rows(
            connection, "intake_demand", ["caller_name", "caller_phone"], index=("caller_phone", "caller_phone_index")
        )
        >= 1
    )
    name, phone, index = stored(demand.pk)
    assert name.startswith("v1:a:") and phone.startswith("v1:a:") and index == pii.blind_index("13700001111")


def test_the_messages_to_citizens_keep_the_number_encrypted(reference, keys):
    from intake.models import OutgoingMessage

    keys(KEY_A)
    demand = make_demand(phone="13611112222")
    OutgoingMessage.objects.create(demand=demand, phone=demand.caller_phone, text="x", at=demand.received_at)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM intake_outgoingmessage WHERE demand_id = %s", [demand.pk])
        assert cursor.fetchone()[0].startswith("v1:a:")
    assert OutgoingMessage.objects.get(demand=demand).phone == "13611112222"


def test_production_refuses_the_public_demo_keys(settings):
    settings.HOTLINE_PII_DEV_KEYS = False  # DEBUG off
    try:
        for name, value in pii.demo_environment().items():
            setattr(settings, name, value)
        pii.reset()
        assert "public demo key" in pii.configured()
        settings.HOTLINE_PII_KEYS, settings.HOTLINE_PII_INDEX_KEY = "", ""
        pii.reset()
        assert "must be set" in pii.configured()
        settings.HOTLINE_PII_KEYS, settings.HOTLINE_PII_INDEX_KEY = KEY_A, INDEX
        pii.reset()
        assert pii.configured() is None
    finally:
        pii.reset()
