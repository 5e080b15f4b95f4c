"""One English word, two Chinese meanings (issue 22 point 10): the project's own translation of a word must
not change Django's pages or another page of ours. "Change" is 修改 in the admin and 环比变化 in the
reports; "Report" is 报告 in the report list and 举报 as a demand type; "To" is 至 in a date filter and
下达至 on a 批示."""

from django.test import Client
from django.utils import translation

from intake.choices import DemandType
from reports.choices import Kind
from tests.reports.test_build import build


def test_the_admins_change_links_read_xiugai(admin_user):
    client = Client()
    client.force_login(admin_user)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "修改" in html and "环比变化" not in html


def test_the_report_list_reads_baogao_and_its_date_filter_zhi(reference, leader):
    build(Kind.DAILY)
    client = Client()
    client.force_login(leader)
    html = client.get("/reports/list/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<th>报告</th>" in html and "举报" not in html
    assert ">至</label>" in html and "下达至" not in html


def test_the_demand_type_and_the_reports_change_keep_their_own_meaning():
    with translation.override("zh-hans"):
        assert str(DemandType.REPORT.label) == "举报"
        assert translation.pgettext("period over period", "Change") == "环比变化"
        assert translation.gettext("Change") == "修改"
