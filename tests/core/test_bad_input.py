"""Hostile and careless input answers 400/404 with a reason, for every URL at once, never 500; the
audit trail cannot be rewritten; exports never carry a live formula; lookups are scoped."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from dispatch.models import WorkOrder, WorkOrderEvent
from tests.factories import main_order, make_demand

HUGE = "99999999999999999999"


def browser(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/knowledge/articles/?q=a&category=%00",
        "/api/v1/work-orders/?status=%00",
        "/assessment/units/%00/",
        "/dispatch/unit/?q=%00abc",
        "/knowledge/?q=%00",
    ],
)
def test_a_nul_character_anywhere_in_a_url_is_a_400(admin_user, path):
    answer = browser(admin_user).get(path)
    assert answer.status_code == 400, path
    if path.startswith("/api/"):
        assert answer.json()["code"] == "invalid_input"


def test_a_nul_character_in_a_form_or_json_body_is_a_400_and_creates_nothing(agent, api):
    from intake.models import Demand

    body = {
        "channel": "phone",
        "demand_type": "consult",
        "category": "010101",
        "content": "占道\u0000经营",
        "caller_name": "王",
        "caller_phone": "13800001111",
        "address": "东城区",
    }
    answer = api.as_user(agent).post("/api/v1/demands/", body, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_input"
    page = Client(raise_request_exception=False).post("/portal/", {**body, "content": "x\x00y"})
    assert page.status_code == 400
    assert not Demand.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        f"/dispatch/unit/?page={HUGE}",
        f"/reports/list/?page={HUGE}",
        f"/knowledge/?q=社保&page={HUGE}",
        "/dispatch/unit/?page=-3",
        "/dispatch/unit/?page=abc",
    ],
)
def test_huge_or_junk_page_numbers_show_an_empty_or_first_page(admin_user, path):
    assert browser(admin_user).get(path).status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/work-orders/{HUGE}/",
        f"/api/v1/demands/{HUGE}/",
        f"/dispatch/orders/{HUGE}/",
        f"/api/v1/reports/{HUGE}/",
    ],
)
def test_an_id_beyond_the_database_range_is_not_a_500(admin_user, path):
    assert browser(admin_user).get(path).status_code in (400, 404), path


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        ("sweepdeadlines", ["--at", "2026-02-30T10:00"], "not a valid moment"),
        ("sweepdeadlines", ["--at", "yesterday"], "not an ISO-8601 moment"),
        ("scoremonth", ["--period", "0163-01"], "the year must lie between"),
        ("scoremonth", ["--period", "2026-13"], "not a valid month"),
        ("buildreport", ["--kind", "daily", "--date", "2026-11-31"], "not a valid date"),
        ("expirearticles", ["--at", "2026-11-23T25:00"], "not a valid moment"),
        ("generateorders", ["--count", "1", "--start", "2026/11/01"], "not a valid date"),
    ],
)
def test_commands_name_the_bad_argument_instead_of_a_traceback(db, command, args, message):
    with pytest.raises(CommandError) as error:
        call_command(command, *args)
    assert message in str(error.value) and args[-2] in str(error.value)


# -- the audit trail ---------------------------------------------------------------------------


def test_the_audit_trail_is_append_only_in_the_database(reference):
    order = main_order(make_demand())
    event = WorkOrderEvent.objects.filter(order=order).first()
    for statement in (
        f"UPDATE dispatch_workorderevent SET note = 'rewritten' WHERE id = {event.pk}",
        f"DELETE FROM dispatch_workorderevent WHERE id = {event.pk}",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:  # as the tests' database superuser, even
                cursor.execute(statement)
    # Deleting the order would delete its events: refused too.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).delete()
    assert WorkOrderEvent.objects.get(pk=event.pk).note == event.note


def test_the_admin_offers_no_deletion_of_orders_or_demands(admin_user):
    order = main_order(make_demand())
    client = browser(admin_user)
    assert client.get(f"/admin/dispatch/workorder/{order.pk}/delete/").status_code == 403
    assert client.get(f"/admin/intake/demand/{order.demand_id}/delete/").status_code == 403
    assert "delete_selected" not in client.get("/admin/dispatch/workorder/").content.decode()


# -- exports and scoped lookups ------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/","点击查看")'


def test_spreadsheet_exports_keep_formula_like_text_as_text(reference):
    from openpyxl import load_workbook

    from knowledge_base.models import Article
    from knowledge_base.services import articles_export

    article = Article.objects.filter(status="published").first()
    Article.objects.filter(pk=article.pk).update(title=FORMULA)
    book = load_workbook(io.BytesIO(articles_export(Article.objects.filter(pk=article.pk))))
    cell = book.active["B2"]
    assert cell.value == FORMULA and cell.data_type == "s"


def test_order_actions_of_another_area_are_404_as_if_the_order_did_not_exist(reference, dispatcher, handler_b):
    order = main_order(make_demand())  # 东华门街道: handler_b (景山街道) cannot see it
    client = browser(handler_b)
    assert client.post(f"/assessment/orders/{order.pk}/exemption/", {"reason": "x"}).status_code == 404
    assert client.post(f"/assessment/orders/{order.pk}/instruction/", {"text": "x"}).status_code == 404
    assert client.post(f"/assessment/orders/{order.pk + 10_000}/instruction/", {"text": "x"}).status_code == 404


def test_configuration_changes_are_recorded_with_who_when_and_what(admin_user, agent, client):
    from dispatch.models import TimeLimitPolicy
    from hotline.core.models import User

    # An administrator changes a user's role in the admin: the history names them and the old value.
    admin = browser(admin_user)
    admin.post(
        f"/admin/core/user/{agent.pk}/change/",
        {
            "username": agent.username,
            "display_name": agent.display_name,
            "role": "dispatcher",
            "unit": agent.unit_id,
            "is_active": "on",
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00:00",
            "initial-date_joined_0": "2026-11-01",
            "initial-date_joined_1": "09:00:00",
        },
    )
    history = User.history.filter(id=agent.pk).order_by("-history_date")
    assert history[0].role == "dispatcher" and history[0].history_user == admin_user
    assert history[0].history_type == "~"
    policy = TimeLimitPolicy.objects.filter(is_active=True).first()
    policy.handling_amount += 1
    policy.save()
    assert policy.history.count() >= 1 and policy.history.first().handling_amount == policy.handling_amount
    # A login is no configuration change; the password hash is never copied into the history.
    from tests.factories import PASSWORD

    before = User.history.filter(id=agent.pk).count()
    assert client.post("/accounts/login/", {"username": agent.username, "password": PASSWORD}).status_code == 302
    assert User.history.filter(id=agent.pk).count() == before
    assert not hasattr(User.history.model, "password")
