"""Reading reports: the pages, the API, the PDF and Excel exports, 批示 on report items, the logged
reveal of a key case's caller, and who may see what."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from assessment.instructions import instruction_respond
from assessment.models import Instruction
from hotline.core.models import Unit
from intake.models import RevealLog
from reports.choices import Kind, Section, Status
from reports.models import Report, ReportRow
from reports.selectors import report_view
from tests.conftest import DISTRICT, OTHER_DISTRICT_STREET, STREET_A
from tests.factories import UserFactory

from .test_build import AFTER, DAY, build, demand


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def daily(city):
    demand(DAY, urgency="urgent", category="010303", street=STREET_A, name="张三丰", hour=7)
    demand(DAY, urgency="urgent", category="010303", street=OTHER_DISTRICT_STREET, name="赵六", hour=8)
    demand(DAY, category="020202", street=STREET_A, name="李四", confidential=True)
    return build(Kind.DAILY)


@pytest.fixture
def dongcheng_leader(reference):
    return UserFactory(username="t_dongcheng_leader", role="leader", unit=Unit.objects.get(code=DISTRICT))


def test_the_report_page_shows_sections_and_chart_data(daily, leader):
    response = browser(leader).get(f"/reports/{daily.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for section in (Section.TOTALS, Section.HOTSPOTS, Section.KEY_CASES, Section.ALERTS):
        assert f'id="section-{section}"' in html
    assert 'data-chart="chart-district"' in html and "echarts.min.js" in html
    assert "张**" in html and "张三丰" not in html  # masked
    total = report_view(daily, leader)["sections"][Section.TOTALS]["total"]["value"]
    assert f"data-total>{total}<" in html


def test_report_list_filters_and_roles(daily, leader, agent, handler_a):
    weekly = build(Kind.WEEKLY)
    client = browser(leader)
    html = client.get("/reports/list/?kind=weekly").content.decode()
    assert f'data-report="{weekly.pk}"' in html and f'data-report="{daily.pk}"' not in html
    html = client.get("/reports/list/?from=2026-11-18&to=2026-11-18").content.decode()
    assert f'data-report="{daily.pk}"' in html and f'data-report="{weekly.pk}"' in html  # the week holds the day
    assert browser(agent).get("/reports/list/").status_code == 403
    assert browser(agent).get(f"/reports/{daily.pk}/").status_code == 403
    assert browser(handler_a).get(f"/reports/{daily.pk}/export.pdf").status_code == 403
    assert browser(leader).get("/reports/999999/").status_code == 404


def test_build_now_from_the_page_and_progress(city, supervisor, django_capture_on_commit_callbacks):
    client = browser(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/list/", {"kind": "daily", "date": DAY.isoformat()})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.status == Status.READY and report.requested_by == supervisor  # built by the (eager) task
    progress = client.get(f"/reports/{report.pk}/progress/?reload=1")
    assert progress["HX-Refresh"] == "true"
    assert client.get(f"/reports/{report.pk}/progress/").status_code == 286  # the list stops polling
    # A bad date keeps the user on the list with a message; a future period is refused.
    response = client.post("/reports/list/", {"kind": "daily", "date": "18/11/2026"}, follow=True)
    assert "YYYY-MM-DD" in response.content.decode()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = client.post("/reports/list/", {"kind": "daily", "date": tomorrow}, follow=True)
    assert Report.objects.count() == 1


def test_a_queued_build_shows_progress_and_the_current_revision(daily, leader, supervisor):
    from reports.services import report_request

    queued = report_request(kind=Kind.DAILY, day=DAY, by=supervisor, at=AFTER, enqueue=False)
    html = browser(leader).get(f"/reports/{queued.pk}/").content.decode()
    assert 'role="progressbar"' in html and f'href="/reports/{daily.pk}/"' in html
    assert "HX-Refresh" not in browser(leader).get(f"/reports/{queued.pk}/progress/?reload=1")


def test_a_build_in_progress_has_no_chart_data_and_only_a_later_current_revision_replaces_one(
    daily, leader, supervisor
):
    """Issue 22 point 11: the page of a build in progress gave reports.js `""` for its charts (`specs.some is
    not a function`), and a revision said a later build replaced it when none had."""
    from reports.services import report_request

    queued = report_request(kind=Kind.DAILY, day=DAY, by=supervisor, at=AFTER, enqueue=False)
    assert 'id="report-charts"' not in browser(leader).get(f"/reports/{queued.pk}/").content.decode()
    first = browser(leader).get(f"/reports/{daily.pk}/").content.decode()
    assert 'id="replaced"' not in first  # the build in progress replaces nothing yet
    Report.objects.filter(pk=daily.pk).update(is_current=False)  # ready, but not (or no longer) current
    assert 'id="replaced"' not in browser(leader).get(f"/reports/{daily.pk}/").content.decode()
    later = build(Kind.DAILY)
    later.refresh_from_db()
    assert later.is_current and later.revision > daily.revision
    older = browser(leader).get(f"/reports/{daily.pk}/").content.decode()
    assert 'id="replaced"' in older and f'href="/reports/{later.pk}/"' in older


def test_pdf_export_has_the_chinese_title_and_numbers(daily, leader):
    response = browser(leader).get(f"/reports/{daily.pk}/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "市民热线反映" in text and "2026-11-18" in text
    assert "东城区" in text  # the choropleth's district labels are text
    assert "张三丰" not in text


def test_excel_export_has_a_sheet_per_section_and_the_totals(daily, leader):
    response = browser(leader).get(f"/reports/{daily.pk}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sections = [
        str(label)[:31]
        for value, label in Section.choices
        if value in (Section.TOTALS, Section.HOTSPOTS, Section.KEY_CASES, Section.ALERTS, Section.RANKING)
    ]
    assert book.sheetnames[1:] == sections
    totals = book[sections[0]]
    view = report_view(daily, leader)["sections"][Section.TOTALS]
    assert totals["B1"].value == view["total"]["value"] and totals["C1"].value == view["total"]["prev"]
    cases = book[sections[2]]
    numbers = {row[0] for row in cases.iter_rows(min_row=2, values_only=True)}
    assert numbers == {r["number"] for r in report_view(daily, leader)["sections"][Section.KEY_CASES]["rows"]}


def test_a_district_leader_sees_only_their_district(daily, dongcheng_leader, leader):
    html = browser(dongcheng_leader).get(f"/reports/{daily.pk}/").content.decode()
    assert "东城区" in html and "张**" in html and "赵*" not in html
    assert 'data-chart="chart-place"' in html and 'data-chart="chart-district"' not in html
    book = load_workbook(io.BytesIO(browser(dongcheng_leader).get(f"/reports/{daily.pk}/export.xlsx").content))
    district_total = book[book.sheetnames[1]]["B1"].value
    assert district_total == report_view(daily, dongcheng_leader)["sections"][Section.TOTALS]["total"]["value"]
    assert district_total < report_view(daily, leader)["sections"][Section.TOTALS]["total"]["value"]
    # A case of another district cannot be instructed or revealed through a guessed id.
    other = ReportRow.objects.get(report=daily, section=Section.KEY_CASES, data__street="建外街道")
    response = browser(dongcheng_leader).post(
        f"/reports/{daily.pk}/instruct/", {"row": other.pk, "section": "key_cases", "text": "查"}
    )
    assert response.status_code == 404 and not Instruction.objects.exists()
    response = browser(dongcheng_leader).post(f"/reports/{daily.pk}/cases/{other.pk}/reveal/", {"reason": "x"})
    assert response.status_code == 404


def test_a_leader_instructs_a_case_and_the_unit_answers(daily, leader):
    row = ReportRow.objects.get(
        report=daily, section=Section.KEY_CASES, data__street="东华门街道", data__reasons=["urgent"]
    )
    client = browser(leader)
    response = client.post(
        f"/reports/{daily.pk}/instruct/",
        {"row": row.pk, "section": "key_cases", "text": "请东华门街道今日内处置并回复"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#section-key_cases")
    instruction = Instruction.objects.get()
    assert (instruction.report, instruction.report_row, instruction.order, instruction.unit) == (
        daily,
        row,
        row.order,
        row.order.unit,
    )
    handler = UserFactory(username="t_case_handler", role="handler", unit=row.order.unit)
    instruction_respond(instruction=instruction, by=handler, response="已派人处置，路面已修复")
    html = client.get(f"/reports/{daily.pk}/").content.decode()
    assert "请东华门街道今日内处置并回复" in html and "已派人处置，路面已修复" in html
    dashboard = client.get("/reports/").content.decode()  # the answer flows back to the leader's dashboard
    assert "已派人处置" in dashboard and "东华门街道" in dashboard
    # A section 批示 goes to the unit the leader picks; without one it is refused and nothing is created.
    client.post(f"/reports/{daily.pk}/instruct/", {"section": "hotspots", "text": "关注噪声"})
    assert Instruction.objects.count() == 1
    client.post(f"/reports/{daily.pk}/instruct/", {"section": "hotspots", "unit": DISTRICT, "text": "关注噪声"})
    assert Instruction.objects.filter(report_section="hotspots", unit__code=DISTRICT).count() == 1


def test_a_district_leader_does_not_see_other_districts_pishi(daily, leader, dongcheng_leader):
    other = ReportRow.objects.get(report=daily, section=Section.KEY_CASES, data__street="建外街道")
    browser(leader).post(
        f"/reports/{daily.pk}/instruct/", {"row": other.pk, "section": "key_cases", "text": "朝阳区请核查"}
    )
    assert Instruction.objects.count() == 1
    assert "朝阳区请核查" in browser(leader).get(f"/reports/{daily.pk}/").content.decode()
    assert "朝阳区请核查" not in browser(dongcheng_leader).get(f"/reports/{daily.pk}/").content.decode()
    # After a rebuild the 批示 still shows on the report (the new revision).
    rebuilt = build(Kind.DAILY)
    assert "朝阳区请核查" in browser(leader).get(f"/reports/{rebuilt.pk}/").content.decode()


def test_no_pishi_on_a_revision_without_content(city, leader):
    from reports.services import report_request

    queued = report_request(kind=Kind.DAILY, day=DAY, at=AFTER, enqueue=False)
    response = browser(leader).post(
        f"/reports/{queued.pk}/instruct/", {"section": "totals", "unit": DISTRICT, "text": "查"}
    )
    assert response.status_code == 404 and not Instruction.objects.exists()


def test_a_leader_without_a_unit_reads_nothing(reference):
    nobody = UserFactory(username="t_unitless_leader", role="leader", unit=None)
    assert browser(nobody).get("/reports/").status_code == 403
    assert browser(nobody).get("/reports/list/").content.decode().count("data-report=") == 0


def test_only_leaders_instruct(daily, supervisor):
    row = ReportRow.objects.filter(report=daily, section=Section.KEY_CASES).first()
    browser(supervisor).post(f"/reports/{daily.pk}/instruct/", {"row": row.pk, "section": "key_cases", "text": "查"})
    assert not Instruction.objects.exists()


def test_a_leader_reveals_a_key_case_callers_name_logged(daily, leader, dongcheng_leader):
    row = ReportRow.objects.get(
        report=daily, section=Section.KEY_CASES, data__street="东华门街道", data__reasons=["urgent"]
    )
    client = browser(leader)
    assert client.post(f"/reports/{daily.pk}/cases/{row.pk}/reveal/", {"reason": ""}).status_code == 400
    assert not RevealLog.objects.exists()
    response = client.post(f"/reports/{daily.pk}/cases/{row.pk}/reveal/", {"reason": "批示前核实"})
    assert response.status_code == 200 and "张三丰" in response.content.decode()
    log = RevealLog.objects.get()
    assert (log.user, log.demand) == (leader, row.demand) and "批示前核实" in log.reason
    assert "1390000" not in response.content.decode()  # the name, not the number
    confidential = ReportRow.objects.get(
        report=daily, section=Section.KEY_CASES, data__reasons=["sensitive"], demand__confidential=True
    )
    response = client.post(f"/reports/{daily.pk}/cases/{confidential.pk}/reveal/", {"reason": "核实"})
    assert response.status_code == 403 and "李四" not in response.content.decode()
    street_leader = UserFactory(username="t_l_street", role="unit_leader", unit=Unit.objects.get(code=STREET_A))
    assert (
        browser(street_leader).post(f"/reports/{daily.pk}/cases/{row.pk}/reveal/", {"reason": "核实"}).status_code
        == 403
    )


def test_dashboard(daily, leader, dongcheng_leader):
    html = browser(leader).get("/reports/").content.decode()
    assert "data-lights" in html and str(daily) in html
    assert browser(dongcheng_leader).get("/reports/").status_code == 200


# --- API --------------------------------------------------------------------------------------------------
def test_api_list_detail_and_exports(daily, leader, dongcheng_leader, agent, api):
    client = api.as_user(leader)
    listing = client.get("/api/v1/reports/?kind=daily").json()
    assert [r["id"] for r in listing["results"]] == [daily.pk] and "next" in listing
    assert client.get("/api/v1/reports/?kind=yearly").json()["code"] == "invalid_kind"
    detail = client.get(f"/api/v1/reports/{daily.pk}/").json()
    assert detail["status"] == "ready" and detail["scope"]["unit"] == "12345"
    assert (
        detail["sections"]["totals"]["total"]["value"]
        == report_view(daily, leader)["sections"][Section.TOTALS]["total"]["value"]
    )
    assert {c["id"] for c in detail["charts"]} >= {"chart-channel", "chart-district"}
    district = api.as_user(dongcheng_leader).get(f"/api/v1/reports/{daily.pk}/").json()
    assert district["scope"]["unit"] == DISTRICT
    assert district["sections"]["totals"]["total"]["value"] < detail["sections"]["totals"]["total"]["value"]
    pdf = api.as_user(leader).get(f"/api/v1/reports/{daily.pk}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = api.as_user(leader).get(f"/api/v1/reports/{daily.pk}/export.xlsx", HTTP_ACCEPT="application/json")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert api.as_user(agent).get("/api/v1/reports/").status_code == 403
    assert api.as_user(leader).get("/api/v1/reports/999999/").json()["code"] == "not_found"


def test_api_build_request(city, supervisor, leader, dongcheng_leader, api):
    client = api.as_user(supervisor)
    response = client.post("/api/v1/reports/", {"kind": "weekly", "date": "2026-11-18"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["period_start"], body["period_end"]) == ("weekly", "2026-11-16", "2026-11-22")
    assert (
        client.post("/api/v1/reports/", {"kind": "weekly", "date": "2026-11-19"}, format="json").json()["id"]
        == body["id"]
    )
    assert client.post("/api/v1/reports/", {"kind": "weekly", "date": "x"}, format="json").status_code == 400
    refused = api.as_user(dongcheng_leader).post(
        "/api/v1/reports/", {"kind": "daily", "date": "2026-11-18"}, format="json"
    )
    assert refused.status_code == 403
