"""历史导入 (issue 20, point 1): a city's history from its old system — every bad row reported by line,
nothing half-written, a re-run adds nothing, Chinese export formats understood, and history stays
history (no work order, no time limit, no message to anyone)."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from dispatch.models import WorkOrder
from governance.imports import clean_text, demands_import, parse_time
from governance.models import HistoryImport
from hotline.core.models import OutboundMessage, Unit
from intake.models import Demand, OutgoingMessage

BJ = ZoneInfo("Asia/Shanghai")
HEADER = [
    "received_at",
    "content",
    "title",
    "caller_name",
    "caller_phone",
    "address",
    "street",
    "category",
    "channel",
    "demand_type",
    "external_id",
]
GOOD = [
    [
        "2019/8/7 9:32:33",
        "小区门口搅拌站晚上十点以后还在施工，噪音特别大，老人孩子都睡不着",
        "搅拌站噪音扰民",
        "李女士",
        "138-0013-8000",
        "",
        "海淀区 八里庄街道",
        "施工噪声",
        "电话",
        "投诉",
        "BJ2019080700012",
    ],
    [
        "2019-08-07 09:32",
        "<p>楼下饭馆油烟&nbsp;太大了</p><br>窗户都不敢开",
        "",
        "",
        "匿名",
        "",
        "110101001",
        "",
        "微信",
        "",
        "",
    ],
    [
        "2019年12月1日 8:05",
        "家里暖气不热，室温才十四度，物业说没办法",
        "",
        "王先生",
        "+86 139 1111 2222",
        "北京市东城区东华门街道南池子大街1号",
        "",
        "020101",
        "网站",
        "求助",
        "BJ2019120100077",
    ],
]


def write_csv(path, rows, *, encoding="utf-8", header=HEADER):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_a_chinese_export_comes_in_as_history(reference, tmp_path):
    report = demands_import(path=write_csv(tmp_path / "old.csv", GOOD, encoding="gb18030"))
    assert (report.rows, report.valid, report.invalid, report.written) == (3, 3, 0, 3)
    smoke, noise, heating = Demand.objects.filter(import_key__gt="").order_by("received_at", "number")
    assert noise.received_at == dt.datetime(2019, 8, 7, 9, 32, 33, tzinfo=BJ)
    assert noise.title == "搅拌站噪音扰民" and noise.street.code == "110108005"  # the 海淀 one of two 八里庄
    assert noise.category.code == "010501" and noise.channel == "phone" and noise.demand_type == "complaint"
    assert noise.disposition == "imported" and noise.number.startswith("H20190807")
    assert noise.caller_phone == "13800138000" and noise.caller_name == "李女士"
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_phone, caller_name FROM intake_demand WHERE id = %s", [noise.pk])
        stored = cursor.fetchone()
    assert "13800138000" not in stored[0] and "李女士" not in stored[1]  # encrypted at rest
    assert smoke.content == "楼下饭馆油烟 太大了\n窗户都不敢开"  # tags and entities gone, lines kept
    assert smoke.category is None and smoke.caller_phone == "" and smoke.channel == "wechat"
    assert heating.street.code == "110101001"  # from the address, as intake resolves it
    assert heating.caller_phone == "13911112222" and heating.demand_type == "help"
    # History: nothing to handle, nobody told.
    assert not WorkOrder.objects.exists()
    assert not OutgoingMessage.objects.exists() and not OutboundMessage.objects.exists()
    assert all(d.dispatch_due_at is None for d in (noise, smoke, heating))


def test_a_bad_row_is_reported_by_line_and_nothing_is_written(reference, tmp_path):
    rows = [
        *GOOD,
        ["2019/13/45 9:00", "路灯坏了", "", "", "", "", "", "", "", "", ""],  # line 5
        ["2019/8/9 10:00", "   ", "", "", "", "", "", "", "", "", ""],  # line 6
        ["2019/8/9 10:00", "井盖丢了", "", "", "12", "", "八里庄街道", "", "", "", ""],  # line 7
        ["2019/8/9 10:00", "垃圾没人清", "", "", "", "", "火星街道", "不存在的分类", "飞鸽传书", "", ""],  # line 8
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    report = demands_import(path=path)
    assert (report.invalid, report.written) == (4, 0) and not Demand.objects.exists()
    by_line = {}
    for problem in report.errors:
        by_line.setdefault(problem.line, set()).add(problem.column)
    assert by_line == {
        5: {"received_at"},
        6: {"content"},
        7: {"caller_phone", "street"},  # 12 is no phone number; 八里庄 is in two districts
        8: {"street", "category", "channel"},
    }
    with pytest.raises(CommandError):
        call_command("importdemands", str(path), stderr=io.StringIO())
    assert not Demand.objects.exists()
    # --skip-invalid writes the good rows and still reports the bad ones.
    err = io.StringIO()
    call_command("importdemands", str(path), "--skip-invalid", stdout=io.StringIO(), stderr=err)
    assert Demand.objects.count() == 3 and "line 8: category" in err.getvalue()


def test_a_rerun_adds_nothing_and_a_dry_run_writes_nothing(reference, tmp_path):
    path = write_csv(tmp_path / "old.csv", [*GOOD, GOOD[1]])  # the same row twice in the file
    dry = demands_import(path=path, dry_run=True)
    assert (dry.valid, dry.repeated, dry.written) == (4, 1, 0) and not Demand.objects.exists()
    first = demands_import(path=path)
    again = demands_import(path=path)
    assert (first.written, again.written, again.existing) == (3, 0, 3)
    assert Demand.objects.count() == 3
    # The old system's id is the key: the same id with an edited text is the same demand.
    edited = [[*GOOD[0][:1], "小区门口搅拌站噪音扰民（补充）", *GOOD[0][2:]]]
    assert demands_import(path=write_csv(tmp_path / "edited.csv", edited)).written == 0


def test_an_excel_workbook_with_chinese_headers(reference, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["受理时间", "诉求内容", "来电号码", "街道", "问题分类", "工单编号"])
    sheet.append([dt.datetime(2020, 7, 21, 18, 40), "暴雨后小区地库积水半米深", 13800138000, "景山街道", "积水", 1001])
    sheet.append([None, None, None, None, None, None])  # a blank row is no row
    sheet.append(["2020/7/21 19:02", "胡同口积水，车过不去", None, "交道口街道", "城市管理/市政设施/积水", None])
    book.save(tmp_path / "old.xlsx")
    out = io.StringIO()
    call_command("importdemands", str(tmp_path / "old.xlsx"), stdout=out, stderr=io.StringIO())
    assert "written 2" in out.getvalue()
    flood = Demand.objects.get(import_key="ext:1001")
    assert flood.caller_phone == "13800138000" and flood.category.code == "010304"
    assert flood.street == Unit.objects.get(code="110101002")
    job = HistoryImport.objects.get()
    assert job.status == "done" and job.report["written"] == 2 and job.source.endswith("old.xlsx")


def test_a_file_that_is_not_one_is_refused_whole(reference, tmp_path):
    (tmp_path / "no.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CommandError):
        call_command("importdemands", str(tmp_path / "no.xlsx"), stderr=io.StringIO())
    write_csv(tmp_path / "cols.csv", [["x"]], header=["when"])
    with pytest.raises(CommandError, match="received_at"):
        call_command("importdemands", str(tmp_path / "cols.csv"), stderr=io.StringIO())
    assert not Demand.objects.exists()


def test_the_formats_of_chinese_exports():
    assert parse_time("2019/8/7 9:32:33", BJ) == dt.datetime(2019, 8, 7, 9, 32, 33, tzinfo=BJ)
    assert parse_time("2019-08-07 09:32", BJ) == dt.datetime(2019, 8, 7, 9, 32, tzinfo=BJ)
    assert parse_time("2019年8月7日 9:32", BJ) == dt.datetime(2019, 8, 7, 9, 32, tzinfo=BJ)
    assert parse_time("2019-08-07T01:32:00+00:00", BJ) == dt.datetime(2019, 8, 7, 9, 32, tzinfo=BJ)
    with pytest.raises(ValueError):
        parse_time("昨天下午", BJ)
    assert clean_text("  噪音\u3000\u3000扰民 &amp; 油烟<script>x</script>  ") == "噪音 扰民 & 油烟x"


def test_an_admin_uploads_a_file_and_reads_the_report(
    reference, admin_user, tmp_path, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "upload.csv", [*GOOD, ["", "没有时间的一行", *[""] * 9]])
    client = Client()
    client.force_login(admin_user)
    with open(path, "rb") as upload, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/governance/historyimport/add/", {"file": upload, "format": "csv"}, follow=True)
    assert response.status_code == 200
    job = HistoryImport.objects.get()
    assert job.status == "refused" and job.report["invalid"] == 1 and not Demand.objects.exists()
    assert not job.file  # the upload, with callers' numbers in clear, is not kept
    page = client.get(f"/admin/governance/historyimport/{job.pk}/change/").content.decode()
    assert "没有时间" not in page and "received_at" in page and "<td>5</td>" in page


def test_a_utf8_file_with_a_bad_byte_stays_utf8_and_the_bad_row_is_reported(reference, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", GOOD)
    data = path.read_bytes().replace("楼下饭馆".encode(), b"\xff\xfe" + "饭馆".encode())  # line 3 broken
    path.write_bytes(data.replace("老人孩子".encode(), "老人\x00孩子".encode()))  # and a NUL in line 2
    report = demands_import(path=path, skip_invalid=True)
    assert report.invalid == 1 and report.errors[0].line == 3 and report.written == 2
    assert "老人孩子" in Demand.objects.get(import_key="ext:BJ2019080700012").content  # the NUL dropped
    assert not Demand.objects.filter(content__contains="\ufffd").exists()  # nothing garbled written


def test_an_upload_of_an_excel_file_left_at_the_csv_format_is_read_as_excel(
    reference, admin_user, tmp_path, django_capture_on_commit_callbacks
):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["received_at", "content"])
    book.active.append(["2020/7/21 18:40", "暴雨后小区地库积水半米深"])
    book.save(tmp_path / "history.xlsx")
    client = Client()
    client.force_login(admin_user)
    with open(tmp_path / "history.xlsx", "rb") as upload, django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/governance/historyimport/add/", {"file": upload, "format": "csv"})
    job = HistoryImport.objects.get()
    assert job.status == "done" and job.report["written"] == 1 and not job.file


def test_an_upload_the_broker_did_not_take_is_sent_again_and_run_once(reference, admin_user, tmp_path):
    """The admin uploaded while the broker was down: the job stayed queued. The requeue job sends it once the
    broker is back; a second delivery of the same job does nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance.services import history_import_create
    from governance.tasks import history_import, requeue_imports

    path = write_csv(tmp_path / "late.csv", GOOD)
    job = history_import_create(by=admin_user, file=SimpleUploadedFile("late.csv", path.read_bytes()), fmt="csv")
    fresh = history_import_create(by=admin_user, file=SimpleUploadedFile("new.csv", path.read_bytes()), fmt="csv")
    HistoryImport.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=11))
    assert requeue_imports() == 1  # the old one; the one just uploaded is still on its way
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == "done" and job.report["written"] == len(GOOD) and fresh.status == "queued"
    written = Demand.objects.count()
    assert history_import(import_id=job.pk) == "skipped"  # a redelivery runs nothing twice
    assert Demand.objects.count() == written
