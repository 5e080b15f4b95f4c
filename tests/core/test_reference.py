"""The in-memory reference data (hotline.core.reference): read without queries, and never stale."""

import pytest
from django.db import connection, transaction

from dispatch.models import CatalogueRule
from dispatch.routing import route
from hotline.core.models import Category, Unit
from hotline.core.reference import reference

from ..conftest import STREET_A

CATEGORY = "010101"  # 占道经营


def test_a_change_made_by_another_process_is_seen_at_the_next_call(reference_data):
    before = reference()
    # Another process renames the category and gives the data a new stamp, in its own transaction:
    # here the rename bypasses this process's signals, as it would over there.
    Category.objects.filter(code=CATEGORY).update(name="占道经营（新）")
    assert reference().category_by_code[CATEGORY].name == before.category_by_code[CATEGORY].name
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_referencestamp SET stamp = 'changed-elsewhere' WHERE id = 1")
    assert reference().category_by_code[CATEGORY].name == "占道经营（新）"


def test_a_rule_is_routed_by_at_once_and_forgotten_when_its_transaction_rolls_back(reference_data):
    street = Unit.objects.get(code=STREET_A)
    category = Category.objects.get(code=CATEGORY)
    usual = route(category=category, street=street).main
    other = Unit.objects.get(code="E05")  # 北京公交集团: never 占道经营
    with pytest.raises(RuntimeError), transaction.atomic():
        CatalogueRule.objects.filter(version=reference().catalogue, category=category).delete()
        CatalogueRule.objects.create(version=reference().catalogue, category=category, target_kind="unit", unit=other)
        assert route(category=category, street=street).main == other
        raise RuntimeError("rolled back")
    assert route(category=category, street=street).main == usual


def test_within_a_request_a_rolled_back_rule_is_not_routed_by_afterwards(reference_data):
    from hotline.core import reference as module

    street = Unit.objects.get(code=STREET_A)
    category = Category.objects.get(code=CATEGORY)
    usual = route(category=category, street=street).main
    module._request_started()
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            CatalogueRule.objects.filter(version=reference().catalogue, category=category).delete()
            CatalogueRule.objects.create(
                version=reference().catalogue, category=category, target_kind="unit", unit=Unit.objects.get(code="E05")
            )
            assert route(category=category, street=street).main.code == "E05"
            raise RuntimeError("rolled back")
        assert route(category=category, street=street).main == usual
        for _again in range(3):  # a new block at the same depth (its id() may be the old one's)
            with transaction.atomic():
                assert route(category=category, street=street).main == usual
    finally:
        module._request_finished()


def test_routing_a_demand_reads_no_reference_table(reference_data, django_assert_num_queries):
    street = Unit.objects.get(code=STREET_A)
    category = Category.objects.get(code=CATEGORY)
    route(category=category, street=street)
    with django_assert_num_queries(1):  # the stamp only
        assert route(category=category, street=street).is_direct


@pytest.fixture
def reference_data(reference):
    return reference
