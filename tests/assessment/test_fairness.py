"""Fairness instruments: appeals within a quota, reviewed by the district then the city, with evidence
files and three outcomes; exemptions with their kind, also after the freeze; revisions that leave the
old month intact; process indicators with weight; and no scheme under which doing nothing pays."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessment.models import Appeal, Exemption, Kind, Outcome, Scheme, Snapshot
from assessment.selectors import items_of
from assessment.services import (
    appeal_decide,
    appeal_review_district,
    appeal_submit,
    exemption_decide,
    exemption_propose,
    revision_changes,
)
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.models import Unit
from tests.assessment.test_scoring import OCTOBER, SETTLED, A, B, C, D, E, answer, freeze, order_in, row
from tests.factories import UserFactory

IN_WINDOW = SETTLED + dt.timedelta(hours=10)


@pytest.fixture
def district_leader(reference):
    """The leader of 东城区 (the district sub-center): reviews its streets' appeals first."""
    return UserFactory(username="t_l110101", role="unit_leader", unit=Unit.objects.get(code="110101"))


@pytest.fixture
def month(scheme, staff):
    """October: A with 4 answered orders, one of them unsatisfied, and 6 unanswered; B with 3 good ones."""
    for answers in [(True, "resolved", "satisfied")] * 3 + [(False, "unresolved", "unsatisfied")]:
        answer(staff, order_in(A), *answers)
    for _ in range(6):
        order_in(A)
    for _ in range(3):
        answer(staff, order_in(B), True, "resolved", "satisfied")
    return freeze()


def the_bad_one(snapshot):
    return snapshot.orders.get(unit__code=A, outcome=Outcome.EVALUATED, contacted=False)


def test_an_appeal_goes_to_the_district_then_the_city_and_a_revision_keeps_the_old(
    month, staff, district_leader, supervisor
):
    handler = staff["handlers"][A]
    appeal = appeal_submit(
        snapshot_order=the_bad_one(month),
        by=handler,
        reason_kind="wrong_answer",
        reason="回访记录有误，录音显示已解决",
        evidence="录音 10-14 14:02",
        outcome="correct",
        corrected=(True, "resolved", "satisfied"),
        at=IN_WINDOW,
    )
    assert appeal.status == "pending" and appeal.district.code == "110101"
    with pytest.raises(StateConflict) as not_yet:
        appeal_decide(appeal=appeal, by=supervisor, accept=True, note="同意", at=IN_WINDOW)
    assert not_yet.value.code == "district_review_pending"
    with pytest.raises(Forbidden):
        appeal_review_district(appeal=appeal, by=handler, agree=True, note="自己同意")
    appeal = appeal_review_district(appeal=appeal, by=district_leader, agree=True, note="核实录音属实")
    assert appeal.status == "forwarded"
    decided = appeal_decide(appeal=appeal, by=supervisor, accept=True, note="证据属实", at=IN_WINDOW)
    new = decided.revision
    assert new.revision == 2 and new.is_current and "appeal" in new.note
    old = Snapshot.objects.get(pk=month.pk)
    assert not old.is_current and row(old, A).score == row(month, A).score  # the old revision stays as it was
    bad = the_bad_one(month)
    fixed = new.orders.get(order=bad.order, kind=bad.kind, round=bad.round)
    assert (fixed.contacted, fixed.resolution, fixed.satisfaction, fixed.resolution_score) == (
        True,
        "resolved",
        "satisfied",
        Decimal("100"),
    )
    assert row(new, A).score > row(month, A).score and row(new, B).score == row(month, B).score
    assert {c["unit"].code for c in revision_changes(old, new)} >= {A}


def test_an_appeal_can_drop_or_reattribute_the_order(month, staff, district_leader, supervisor):
    handler = staff["handlers"][A]
    unanswered = list(month.orders.filter(unit__code=A, outcome=Outcome.NO_REPLY)[:2])
    drop = appeal_submit(
        snapshot_order=unanswered[0],
        by=handler,
        reason_kind="withdrawn",
        reason="诉求人已撤诉",
        outcome="drop",
        at=IN_WINDOW,
    )
    move = appeal_submit(
        snapshot_order=unanswered[1],
        by=handler,
        reason_kind="misdispatched",
        reason="属景山街道辖区",
        outcome="reattribute",
        reattribute_to=Unit.objects.get(code=B),
        at=IN_WINDOW,
    )
    for appeal in (drop, move):
        appeal_review_district(appeal=appeal, by=district_leader, agree=True, note="属实")
    first = appeal_decide(
        appeal=Appeal.objects.get(pk=drop.pk), by=supervisor, accept=True, note="撤诉属实", at=IN_WINDOW
    ).revision
    second = appeal_decide(
        appeal=Appeal.objects.get(pk=move.pk), by=supervisor, accept=True, note="辖区有误", at=IN_WINDOW
    ).revision
    assert first.revision == 2 and second.revision == 3
    assert first.orders.get(order=unanswered[0].order).outcome == Outcome.EXEMPTED
    assert Exemption.objects.get(order=unanswered[0].order).kind == "appeal"
    moved = second.orders.get(order=unanswered[1].order)
    assert moved.unit.code == B and moved.outcome == Outcome.NO_REPLY  # now B's failure
    assert (row(second, A).no_reply, row(second, B).no_reply) == (row(month, A).no_reply - 2, 1)


def test_an_appeal_over_the_quota_is_refused_with_the_reason(month, staff):
    handler = staff["handlers"][A]
    items = list(month.orders.filter(unit__code=A).order_by("id"))
    # A has 10 scored items: max(2, ⌈5% × 10⌉) = 2 appeals this month.
    for item in items[:2]:
        appeal_submit(snapshot_order=item, by=handler, reason="理由", at=IN_WINDOW)
    with pytest.raises(StateConflict) as over:
        appeal_submit(snapshot_order=items[2], by=handler, reason="再申诉", at=IN_WINDOW)
    assert over.value.code == "appeal_quota_exceeded"
    assert "2" in over.value.detail and "2026-10" in over.value.detail


def test_appeal_files_are_checked_kept_and_shown_only_to_who_may_read(
    month, staff, district_leader, handler_b, supervisor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    handler = staff["handlers"][A]
    item = the_bad_one(month)
    with pytest.raises(InvalidInput) as wrong:
        appeal_submit(
            snapshot_order=item,
            by=handler,
            reason="见附件",
            at=IN_WINDOW,
            files=[SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")],
        )
    assert wrong.value.code == "invalid_file_type"
    photo = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    appeal = appeal_submit(snapshot_order=item, by=handler, reason="见附件", at=IN_WINDOW, files=[photo])
    attachment = appeal.attachments.get()
    assert attachment.name == "现场照片.jpg" and "现场照片" not in attachment.file.name  # stored under a random name
    url = f"/assessment/attachments/{attachment.pk}/"
    for user, status in ((handler, 200), (district_leader, 200), (supervisor, 200), (handler_b, 404)):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_the_appeal_page_keeps_what_was_typed_when_refused(month, staff):
    handler = staff["handlers"][A]
    items = list(month.orders.filter(unit__code=A).order_by("id"))
    for item in items[:2]:
        appeal_submit(snapshot_order=item, by=handler, reason="理由", at=IN_WINDOW)
    client = Client()
    client.force_login(handler)
    from unittest import mock  # the page's clock: inside the appeal window

    with mock.patch("django.utils.timezone.now", return_value=IN_WINDOW):
        response = client.post(
            f"/assessment/items/{items[2].pk}/appeal/",
            {"reason_kind": "withdrawn", "reason": "诉求人已书面确认解决", "outcome": "drop"},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "诉求人已书面确认解决" in page and 'id="appeal-errors"' in page
    other = Client()
    other.force_login(staff["handlers"][B])
    assert other.get(f"/assessment/items/{items[2].pk}/appeal/").status_code == 404  # not B's item


def test_an_exemption_approved_after_the_freeze_makes_a_new_revision(month, staff, dispatcher, supervisor):
    target = month.orders.filter(unit__code=A, outcome=Outcome.NO_REPLY).first().order
    with pytest.raises(InvalidInput):
        exemption_propose(order=target, by=dispatcher, reason="恶意重复", kind="nonsense")
    exemption = exemption_propose(order=target, by=dispatcher, reason="同一人一日拨打四十次", kind="redialling")
    with pytest.raises(Forbidden):
        exemption_decide(exemption=exemption, by=dispatcher, approve=True)
    exemption_decide(exemption=exemption, by=supervisor, approve=True, note="经核实", at=IN_WINDOW)
    current = Snapshot.objects.get(period=OCTOBER, is_current=True)
    assert current.revision == 2 and "exemption" in current.note
    # an exemption of the order (not of one round) exempts every item of it in the month
    before = set(month.orders.filter(order=target).values_list("kind", "round", "outcome"))
    assert any(kind == Kind.ROUND and result == Outcome.NO_REPLY for kind, _, result in before)
    after = set(items_of(current).filter(order=target).values_list("kind", "round", "outcome"))
    assert after == {(kind, number, Outcome.EXEMPTED) for kind, number, _ in before}
    assert (
        set(Snapshot.objects.get(pk=month.pk).orders.filter(order=target).values_list("kind", "round", "outcome"))
        == before
    )  # the first freeze is intact
    assert row(current, A).no_reply == row(month, A).no_reply - 1


# --- process indicators and the schemes ---------------------------------------------------------------------


def test_the_trial_scheme_weighs_process_and_an_admin_activates_it_from_a_month_on(month, staff):
    import importlib

    from django.apps import apps

    importlib.import_module("assessment.migrations.0008_trial_scheme").ship(apps, None)  # as every deployment gets it
    trial = Scheme.objects.get(name="试行")
    assert not trial.is_active and trial.weight_on_time > 0 and trial.weights_total == Decimal("1.00")
    trial.full_clean()
    default = row(month, A)
    assert default.process_score == Decimal("0.00")  # the default scheme: process weights 0
    Scheme.objects.filter(pk=trial.pk).update(is_active=True, valid_from=OCTOBER, min_volume=1, tier_size=1)
    with_process = freeze(at=SETTLED + dt.timedelta(hours=1))
    a = row(with_process, A)
    assert with_process.scheme_id == trial.pk
    # A replied in time to 4 of its 11 due items (10 orders and the re-handled round of the unsatisfied one).
    assert a.due == 11 and a.process_parts["on_time"] == "36.36" and a.process_parts["not_overdue"] == "36.36"
    assert a.process_parts["no_rehandle"] == "27.27"  # the re-handled one answered, but not kept
    expected = sum(
        Decimal(a.process_parts[c]) * w
        for c, w in (
            ("signed", Decimal("0.05")),
            ("on_time", Decimal("0.05")),
            ("no_return", Decimal("0.05")),
            ("no_rehandle", Decimal("0.05")),
            ("not_overdue", Decimal("0.05")),
            ("truthful", Decimal("0.05")),
        )
    )
    assert a.process_score == expected.quantize(Decimal("0.01"))


def test_a_scheme_where_no_reply_scores_above_an_answer_is_refused(scheme):
    scheme.no_reply_resolution = "partly"  # would let silence earn 50 points
    with pytest.raises(ValidationError):
        scheme.full_clean()
    scheme.no_reply_resolution = "unresolved"
    scheme.weight_on_time = Decimal("0.10")  # weights no longer add up to 1
    with pytest.raises(ValidationError):
        scheme.full_clean()


def test_doing_nothing_never_scores_better_than_trying_under_any_valid_scheme(reference, staff):
    """A street that never answers against streets that try with every kind of result, under the default,
    the trial and random valid schemes: the one doing nothing is never above any of them."""
    rng = random.Random(16)
    mixes = {
        B: [(True, "unresolved", "unsatisfied")] * 3,  # tries and fails every time
        C: [(False, "unresolved", "unsatisfied")] * 2 + [(True, "partly", "basically")],
        D: [(True, "resolved", "satisfied"), (True, "partly", "unsatisfied"), (False, "resolved", "basically")],
        E: [(True, "resolved", "satisfied")] * 3,
    }
    for code, answers in mixes.items():
        for answers_ in answers:
            answer(staff, order_in(code), *answers_)
    for _ in range(3):
        order_in(A)  # never answered
    schemes = [
        {},
        {
            "weight_response": Decimal("0.20"),
            "weight_resolution": Decimal("0.25"),
            "weight_satisfaction": Decimal("0.25"),
            "weight_signed": Decimal("0.05"),
            "weight_on_time": Decimal("0.05"),
            "weight_returns": Decimal("0.05"),
            "weight_rehandles": Decimal("0.05"),
            "weight_overdue": Decimal("0.05"),
            "weight_false_feedback": Decimal("0.05"),
        },
    ]
    for _ in range(6):
        parts = [rng.randint(0, 10) for _ in Scheme.WEIGHTS]
        parts[0] += 1
        total = sum(parts)
        weights = [Decimal(p * 100 // total) / 100 for p in parts]
        weights[0] += Decimal("1.00") - sum(weights)
        schemes.append(
            dict(zip(Scheme.WEIGHTS, weights))
            | {
                "late_rule": rng.choice(["both", "keep_first", "replace"]),
                "rehandle_rule": rng.choice(["both", "keep_first", "replace"]),
            }
        )
    for i, values in enumerate(schemes):
        Snapshot.objects.all().delete()
        Scheme.objects.all().delete()
        s = Scheme(version=1, valid_from=dt.date(2020, 1, 1), min_volume=1, tier_size=1, **values)
        s.full_clean()
        s.save()
        snapshot = freeze(at=SETTLED + dt.timedelta(minutes=i))
        nothing = row(snapshot, A).score
        for code in mixes:
            assert row(snapshot, code).score >= nothing, (values, code)


def test_the_appeal_page_takes_several_files(month, staff, settings, tmp_path):
    from unittest import mock

    settings.MEDIA_ROOT = tmp_path
    handler = staff["handlers"][A]
    item = the_bad_one(month)
    client = Client()
    client.force_login(handler)
    files = [
        SimpleUploadedFile("录音.mp3", b"ID3" + b"0" * 50, content_type="audio/mpeg"),
        SimpleUploadedFile("照片.png", b"\x89PNG" + b"0" * 50, content_type="image/png"),
    ]
    with mock.patch("django.utils.timezone.now", return_value=IN_WINDOW):
        response = client.post(
            f"/assessment/items/{item.pk}/appeal/",
            {
                "reason_kind": "wrong_answer",
                "reason": "回访记录有误",
                "outcome": "correct",
                "corrected_contacted": "true",
                "corrected_resolution": "resolved",
                "corrected_satisfaction": "satisfied",
                "files": files,
            },
        )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert sorted(a.name for a in appeal.attachments.all()) == ["录音.mp3", "照片.png"]
    assert (appeal.outcome, appeal.corrected_contacted, appeal.corrected_resolution) == ("correct", True, "resolved")


# --- after the review -------------------------------------------------------------------------------------


def test_a_revision_writes_only_what_changed_and_the_next_builds_on_it(month, staff, district_leader, supervisor):
    from assessment.selectors import items_of

    handler = staff["handlers"][A]
    unanswered = list(month.orders.filter(unit__code=A, outcome=Outcome.NO_REPLY).order_by("id")[:2])
    appeals = [
        appeal_submit(
            snapshot_order=item, by=handler, reason_kind="withdrawn", reason="撤诉", outcome="drop", at=IN_WINDOW
        )
        for item in unanswered
    ]
    for appeal in appeals:
        appeal_review_district(appeal=appeal, by=district_leader, agree=True, note="属实")
    first = appeal_decide(appeal=appeals[0], by=supervisor, accept=True, note="属实", at=IN_WINDOW).revision
    second = appeal_decide(
        appeal=Appeal.objects.get(pk=appeals[1].pk), by=supervisor, accept=True, note="属实", at=IN_WINDOW
    ).revision
    assert first.orders.count() == 1 and second.orders.count() == 1  # a month's rows are not copied
    assert items_of(second).count() == items_of(first).count() == items_of(month).count()

    # The second decision is made on the first's revision: both orders are out.
    def outcome(revision, item):
        return items_of(revision).get(order=item.order_id, kind=item.kind, round=item.round).outcome

    assert [outcome(second, item) for item in unanswered] == [Outcome.EXEMPTED, Outcome.EXEMPTED]
    assert outcome(first, unanswered[1]) == Outcome.NO_REPLY  # as it was then
    assert row(second, A).no_reply == row(month, A).no_reply - 2


def test_a_no_reply_cannot_be_corrected_into_full_marks(month, staff):
    handler = staff["handlers"][A]
    silent = month.orders.filter(unit__code=A, outcome=Outcome.NO_REPLY).first()
    with pytest.raises(InvalidInput) as refused:
        appeal_submit(
            snapshot_order=silent,
            by=handler,
            reason="其实联系过",
            outcome="correct",
            corrected=(True, "resolved", "satisfied"),
            at=IN_WINDOW,
        )
    assert refused.value.code == "nothing_to_correct"


def test_an_appeal_drops_its_round_only(month, staff, district_leader, supervisor, dispatcher):
    from assessment.services import score_month
    from dispatch.models import WorkOrder

    handler = staff["handlers"][A]
    bad = the_bad_one(month)  # evaluated unresolved/unsatisfied: re-opened by the rule, round 1 unanswered
    assert WorkOrder.objects.get(pk=bad.order_id).rehandle_count == 1
    appeal = appeal_submit(
        snapshot_order=bad, by=handler, reason_kind="unreasonable", reason="超出政策范围", outcome="drop", at=IN_WINDOW
    )
    appeal_review_district(appeal=appeal, by=district_leader, agree=True, note="属实")
    new = appeal_decide(appeal=appeal, by=supervisor, accept=True, note="属实", at=IN_WINDOW).revision
    from assessment.selectors import items_of

    items = {i.round: i.outcome for i in items_of(new).filter(order=bad.order)}
    assert items == {0: Outcome.EXEMPTED, 1: Outcome.NO_REPLY}  # the re-handled round still A's
    again = score_month(OCTOBER, at=SETTLED + dt.timedelta(days=1))
    assert {i.round: i.outcome for i in again.orders.filter(order=bad.order)} == items


def test_the_city_decides_with_a_center_supervisor_not_the_district_reviewer(month, staff, supervisor):
    from hotline.core.models import Unit
    from tests.factories import UserFactory

    district_supervisor = UserFactory(username="t_sup_dc", role="supervisor", unit=Unit.objects.get(code="110101"))
    elsewhere = UserFactory(username="t_sup_cy", role="supervisor", unit=Unit.objects.get(code="110105"))
    appeal = appeal_submit(snapshot_order=the_bad_one(month), by=staff["handlers"][A], reason="理由", at=IN_WINDOW)
    appeal = appeal_review_district(appeal=appeal, by=district_supervisor, agree=True, note="同意")
    for outsider in (district_supervisor, elsewhere):
        with pytest.raises(Forbidden):
            appeal_decide(appeal=appeal, by=outsider, accept=True, note="同意", at=IN_WINDOW)
    exemption = exemption_propose(order=the_bad_one(month).order, by=staff["dispatcher"], reason="x", kind="other")
    with pytest.raises(Forbidden):
        exemption_decide(exemption=exemption, by=elsewhere, approve=True)
    assert appeal_decide(appeal=appeal, by=supervisor, accept=False, note="证据不足", at=IN_WINDOW).status == "rejected"


def test_no_pishi_on_a_preview_row(scheme, staff, leader):
    from assessment.instructions import instruction_issue
    from assessment.services import score_preview

    answer(staff, order_in(A), True, "resolved", "satisfied")
    preview = next(s for s in score_preview(at=SETTLED - dt.timedelta(days=10)) if s.period == OCTOBER)
    with pytest.raises(InvalidInput) as refused:
        instruction_issue(leader=leader, ranking=row(preview, A), text="请整改")
    assert refused.value.code == "preview_row"
