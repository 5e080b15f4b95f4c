"""未诉先办 actions, topics raised by hand, progress reports and a street's 主动治理 (issue 20, points 3, 4
and 6) as their users meet them: through the API and the pages, with files, retries and hostile input."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from governance.models import ProactiveAction, Topic
from hotline.core.models import Category, Notification, Unit
from tests.factories import UserFactory

STREET, OTHER = "110101001", "110105001"


def leaf():
    return Category.objects.filter(level=3, is_active=True).order_by("code").first()


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_street_records_an_action_and_its_district_verifies_it(api, reference, supervisor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    street = Unit.objects.get(code=STREET)
    handler = UserFactory(username="t_act_h", role="handler", unit=street)
    district = UserFactory(username="t_act_d", role="unit_leader", unit=street.parent)
    outsider = UserFactory(username="t_act_o", role="handler", unit=Unit.objects.get(code=OTHER))
    today = timezone.localdate().isoformat()
    body = {
        "category": leaf().code,
        "area": STREET,
        "acted_on": today,
        "what": "入汛前清掏东华门大街雨水口46个",
        "people_affected": 1200,
        "place": "东华门大街",
        "evidence": "",
    }
    api.as_user(handler)
    no_evidence = api.post("/api/v1/governance/actions/", body, format="json")
    assert no_evidence.status_code == 400 and no_evidence.json()["code"] == "evidence_required"
    assert (
        api.post("/api/v1/governance/actions/", {**body, "area": OTHER, "evidence": "x"}, format="json").status_code
        == 400
    )
    assert (
        api.post(
            "/api/v1/governance/actions/", {**body, "acted_on": "2099-01-01", "evidence": "x"}, format="json"
        ).status_code
        == 400
    )
    photo = SimpleUploadedFile("清掏前后.jpg", b"\xff\xd8\xff" + b"0" * 64, content_type="image/jpeg")
    created = api.post(
        "/api/v1/governance/actions/", {**body, "files": [photo]}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert created.status_code == 201, created.json()
    action = created.json()
    assert action["status"] == "submitted" and action["attachments"][0]["name"] == "清掏前后.jpg"
    # A retry of the same submission records nothing new.
    again = api.post(
        "/api/v1/governance/actions/", {**body, "evidence": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.json()["id"] == action["id"] and ProactiveAction.objects.count() == 1
    # Another unit's submission that happens to reuse the key is refused, not merged or crashed on.
    neighbour = UserFactory(username="t_act_n", role="handler", unit=Unit.objects.get(code="110101002"))
    clash = api.as_user(neighbour).post(
        "/api/v1/governance/actions/",
        {**body, "area": "110101002", "evidence": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert clash.status_code == 409 and clash.json()["code"] == "duplicate_key"
    assert ProactiveAction.objects.count() == 1
    api.as_user(handler)
    assert Notification.objects.filter(user=district, kind="action_to_verify").count() == 1
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    refused = api.post("/api/v1/governance/actions/", {**body, "files": [bad]}, format="multipart")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_file_type"

    # The street cannot verify its own; another street does not even see it.
    assert (
        api.post(f"/api/v1/governance/actions/{action['id']}/decide/", {"verified": True}, format="json").status_code
        == 403
    )
    api.as_user(outsider)
    assert api.get("/api/v1/governance/actions/").json()["results"] == []
    assert api.get(f"/api/v1/governance/actions/{action['id']}/").status_code == 404
    assert browser(outsider).get(action["attachments"][0]["url"]).status_code == 404
    file = browser(district).get(action["attachments"][0]["url"])
    assert file.status_code == 200 and b"".join(file.streaming_content).startswith(b"\xff\xd8\xff")

    # The district verifies it in the browser; a second decision is refused with the reason.
    page = browser(district).get(f"/governance/actions/{action['id']}/")
    assert "入汛前清掏东华门大街雨水口46个" in page.content.decode() and 'value="verify"' in page.content.decode()
    assert 'value="verify"' not in browser(handler).get(f"/governance/actions/{action['id']}/").content.decode()
    browser(district).post(f"/governance/actions/{action['id']}/", {"verdict": "verify", "note": "现场照片属实"})
    assert ProactiveAction.objects.get().status == "verified"
    api.as_user(supervisor)
    twice = api.post(
        f"/api/v1/governance/actions/{action['id']}/decide/", {"verified": False, "note": "x"}, format="json"
    )
    assert twice.status_code == 409 and twice.json()["code"] == "already_decided"


def test_the_action_form_keeps_what_was_typed_and_offers_only_the_units_own_areas(reference):
    handler = UserFactory(username="t_act_f", role="handler", unit=Unit.objects.get(code=STREET))
    client = browser(handler)
    page = client.get("/governance/actions/").content.decode()
    assert f'value="{Unit.objects.get(code=STREET).pk}"' in page
    assert f'value="{Unit.objects.get(code=OTHER).pk}"' not in page
    refused = client.post(
        "/governance/actions/",
        {
            "category": leaf().pk,
            "area": Unit.objects.get(code=STREET).pk,
            "acted_on": timezone.localdate().isoformat(),
            "what": "供暖季前入户检查独居老人家中暖气",
            "people_affected": "35",
            "evidence": "",
            "request_key": "form-1",
        },
    )
    text = refused.content.decode()
    assert refused.status_code == 400 and "供暖季前入户检查独居老人家中暖气" in text
    assert ProactiveAction.objects.count() == 0


def test_topics_raised_by_hand_and_progress_reported_with_files(api, reference, supervisor, leader, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    street = Unit.objects.get(code=STREET)
    handler = UserFactory(username="t_raise_h", role="handler", unit=street)
    api.as_user(handler)
    initiative = {"kind": "initiative", "title": "南池子胡同停车难", "street": STREET}
    assert api.post("/api/v1/governance/topics/", {**initiative, "street": OTHER}, format="json").status_code == 403
    assert api.post("/api/v1/governance/topics/", {**initiative, "kind": "monthly"}, format="json").status_code == 403
    created = api.post("/api/v1/governance/topics/", initiative, format="json")
    assert created.status_code == 201 and created.json()["status"] == "proposed"
    api.as_user(leader)
    monthly = api.post("/api/v1/governance/topics/", {"kind": "monthly", "title": "老旧小区加装电梯"}, format="json")
    assert monthly.status_code == 201 and monthly.json()["kind"] == "monthly"

    topic = Topic.objects.get(pk=created.json()["id"])
    api.as_user(supervisor)
    api.post(f"/api/v1/governance/topics/{topic.pk}/approve/", {}, format="json")
    api.post(f"/api/v1/governance/topics/{topic.pk}/start/", {"owner": STREET, "plan": "错时共享停车"}, format="json")
    api.as_user(handler)
    plan = SimpleUploadedFile("共享车位协议.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    reported = api.post(
        f"/api/v1/governance/topics/{topic.pk}/progress/",
        {"note": "与两家单位签订错时停车协议，新增车位60个", "files": [plan]},
        format="multipart",
    )
    assert reported.status_code == 201, reported.json()
    assert (
        api.post(f"/api/v1/governance/topics/{topic.pk}/progress/", {"note": " "}, format="multipart").status_code
        == 400
    )
    page = browser(handler).get(f"/governance/topics/{topic.pk}/").content.decode()
    assert "新增车位60个" in page and "共享车位协议.pdf" in page

    # The street's 主动治理 page and API: its topic, and the month's progress.
    street_page = browser(handler).get(f"/governance/streets/{STREET}/").content.decode()
    assert "南池子胡同停车难" in street_page
    summary = api.get(f"/api/v1/governance/streets/{STREET}/").json()
    assert summary["figures"]["topics_open"] == 1 and summary["topics"][0]["title"] == "南池子胡同停车难"
    assert api.get(f"/api/v1/governance/streets/{OTHER}/").status_code == 404  # not in the street's view
    progress = api.get("/api/v1/governance/progress/").json()
    assert [t["title"] for t in progress["topics"]] == ["南池子胡同停车难"]
    assert progress["summary"]["by_status"]["in_progress"] == 1
    assert api.get("/api/v1/governance/progress/?month=2026-13").status_code == 400
    assert api.get("/api/v1/governance/progress/?month=9999-12").json()["code"] == "invalid_month"  # no 500


def test_the_leaders_dashboard_and_the_monthly_report_show_the_months_progress(reference, leader, supervisor):
    street = Unit.objects.get(code=STREET)
    now = timezone.now()
    topic = Topic.objects.create(
        key="monthly:t",
        kind=Topic.Kind.MONTHLY,
        status=Topic.Status.IN_PROGRESS,
        title="每月一题：老旧小区加装电梯",
        street=street,
        owner=street,
        decided_at=now - dt.timedelta(days=3),
        started_at=now - dt.timedelta(days=2),
        created_at=now - dt.timedelta(days=3),
    )
    topic.milestones.create(title="完成意见征询", due_at=now - dt.timedelta(hours=1))
    page = browser(leader).get("/reports/").content.decode()
    assert "每月一题：老旧小区加装电梯" in page and "governance-title" in page
    assert "1 个节点逾期" in page  # the milestone past its due date, in red


def test_the_monthly_report_prints_the_months_progress_in_each_readers_area(reference, leader):
    from assessment.models import Scheme
    from reports.choices import Kind, Section, Status
    from reports.selectors import report_view
    from tests.reports.test_build import build

    Scheme.objects.get_or_create(version=1, defaults={"valid_from": dt.date(2020, 1, 1)})
    street = Unit.objects.get(code=STREET)
    november = dt.datetime(2026, 11, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    topic = Topic.objects.create(
        key="monthly:nov",
        kind=Topic.Kind.MONTHLY,
        status=Topic.Status.IN_PROGRESS,
        title="每月一题：背街小巷环境整治",
        street=street,
        owner=street,
        decided_at=november,
        started_at=november,
        created_at=november,
    )
    topic.milestones.create(title="完成摸底", due_at=november + dt.timedelta(days=10))
    topic.milestones.create(
        title="完成整治", due_at=november + dt.timedelta(days=20), done_at=november + dt.timedelta(days=18)
    )
    report = build(Kind.MONTHLY, at=dt.datetime(2026, 12, 4, 6, 0, tzinfo=november.tzinfo))
    assert report.status == Status.READY, report.error
    section = report_view(report, leader)["sections"][Section.GOVERNANCE]
    (row,) = section["topics"]
    assert (row["title"], row["milestones_done"], row["milestones_total"], row["milestones_overdue"]) == (
        "每月一题：背街小巷环境整治",
        1,
        2,
        1,
    )
    assert section["summary"]["monthly"] == 1 and row["kind_label"]
    elsewhere = UserFactory(username="t_rep_o", role="unit_leader", unit=Unit.objects.get(code=OTHER).parent)
    assert report_view(report, elsewhere)["sections"][Section.GOVERNANCE]["topics"] == []
    page = Client()
    page.force_login(leader)
    assert "每月一题：背街小巷环境整治" in page.get(f"/reports/{report.pk}/").content.decode()
