"""主动治理 in the monthly assessment (issue 20, point 4): a verified 未诉先办 action changes a unit's score
by the scheme's rule, in the month it was verified; an unverified or rejected one earns nothing; a topic
earns only with its demands measurably down; and recording actions never makes up for orders left
unanswered (failing never pays)."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.test import Client

from assessment.models import Scheme, Snapshot
from governance.models import Topic, TopicEvent
from governance.services import action_decide, action_record
from hotline.core.exceptions import Forbidden, InvalidInput
from hotline.core.models import Category, Unit
from tests.assessment.test_scoring import CALLED, SETTLED, A, B, C, D, answer, freeze, order_in, row
from tests.factories import UserFactory

VERIFIED_IN_OCTOBER = dt.datetime(2026, 10, 20, 15, 0, tzinfo=CALLED.tzinfo)


@pytest.fixture
def district(reference):
    """The leader of 东城区 (the district over the streets): verifies their actions."""
    return UserFactory(username="t_pa_l110101", role="unit_leader", unit=Unit.objects.get(code="110101"))


def act(staff, code, *, what="汛期前疏通雨水篦子32处", at=CALLED, **extra):
    street = Unit.objects.get(code=code)
    return action_record(
        by=staff["handlers"][code],
        category=Category.objects.filter(level=3, is_active=True).order_by("code").first(),
        area=street,
        acted_on=at.date(),
        what=what,
        evidence="照片见街道台账第12号",
        people_affected=800,
        at=at,
        **extra,
    )


def test_a_verified_action_adds_the_schemes_points_in_the_month_it_was_verified(
    scheme, staff, district, api, supervisor
):
    for code in (B, C):
        for _ in range(3):
            answer(staff, order_in(code), True, "resolved", "satisfied")
    counted = act(staff, B)
    action_decide(action=counted, by=district, verified=True, at=VERIFIED_IN_OCTOBER)
    rejected = act(staff, C, what="清理小广告")
    action_decide(action=rejected, by=district, verified=False, note="无照片，无法核实", at=VERIFIED_IN_OCTOBER)
    act(staff, C, what="走访独居老人")  # never verified
    late = act(staff, B, what="供暖前检查管线")
    action_decide(action=late, by=district, verified=True, at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=CALLED.tzinfo))

    snapshot = freeze()
    b, c = row(snapshot, B), row(snapshot, C)
    assert b.proactive_bonus == scheme.points_proactive_action == Decimal("0.20")
    assert b.proactive_credits == 1 and c.proactive_bonus == 0 and c.proactive_credits == 0
    assert b.score == c.score + Decimal("0.20")
    (credit,) = snapshot.credits.all()  # November's verification counts in November, not here
    assert (credit.unit.code, credit.ref, credit.points) == (B, counted.pk, Decimal("0.20"))
    # The scorecard and the rankings API say where the points came from.
    browser = Client()
    browser.force_login(staff["handlers"][B])
    page = browser.get(f"/assessment/units/{B}/?period=2026-10").content.decode()
    assert 'id="proactive-part"' in page and f'data-credit="proactive_action:{counted.pk}"' in page
    assert "汛期前疏通雨水篦子32处" in page
    ranking = api.as_user(supervisor).get("/api/v1/assessment/rankings/?period=2026-10").json()["results"]
    assert {r["unit"]: r["proactive_bonus"] for r in ranking}[B] == "0.20"

    # A new scheme version gives other points: the month's rule is its scheme's.
    Snapshot.objects.all().delete()
    Scheme.objects.filter(pk=scheme.pk).update(points_proactive_action=Decimal("0.50"))
    assert row(freeze(at=SETTLED + dt.timedelta(minutes=1)), B).score == c.score + Decimal("0.50")


def test_the_bonus_is_capped_and_earned_in_proportion_to_the_orders_answered(scheme, staff, district):
    Scheme.objects.filter(pk=scheme.pk).update(proactive_cap=Decimal("1.00"))
    for _ in range(2):
        answer(staff, order_in(B), True, "resolved", "satisfied")
    order_in(B)  # one of three never answered
    for i in range(8):
        action_decide(action=act(staff, B, what=f"巡查{i}"), by=district, verified=True, at=VERIFIED_IN_OCTOBER)
    b = row(freeze(), B)
    assert b.proactive_credits == 8
    assert b.proactive_bonus == Decimal("0.67")  # the 1.00 cap (not 8 × 0.20), times 2 of 3 answered in time


def test_recording_actions_never_makes_up_for_unanswered_orders(reference, staff, district):
    """A street that answers nothing but records many verified actions, against one that answers and fails
    and against one that does nothing at all, under the default and random valid schemes."""
    rng = random.Random(20)
    for _ in range(3):
        order_in(A)  # never answered: A only records actions
        order_in(D)  # never answered, no actions either
        answer(staff, order_in(B), True, "unresolved", "unsatisfied", unit_says="partly")
    for i in range(10):
        action_decide(action=act(staff, A, what=f"主动巡查{i}"), by=district, verified=True, at=VERIFIED_IN_OCTOBER)
    schemes = [{}]
    for _ in range(5):
        parts = [rng.randint(0, 10) for _ in Scheme.WEIGHTS]
        parts[2] += 1
        total = sum(parts)
        weights = [Decimal(p * 100 // total) / 100 for p in parts]
        weights[2] += Decimal("1.00") - sum(weights)
        schemes.append(
            dict(zip(Scheme.WEIGHTS, weights))
            | {"points_proactive_action": Decimal("1.00"), "proactive_cap": Decimal("5.00")}
        )
    for i, values in enumerate(schemes):
        Snapshot.objects.all().delete()
        Scheme.objects.all().delete()
        s = Scheme(version=1, valid_from=dt.date(2020, 1, 1), min_volume=1, tier_size=1, **values)
        s.full_clean()
        s.save()
        snapshot = freeze(at=SETTLED + dt.timedelta(minutes=i))
        a, b, d = row(snapshot, A), row(snapshot, B), row(snapshot, D)
        assert a.proactive_credits == 10 and a.proactive_bonus == 0, values
        assert a.score == d.score <= b.score, values


def test_a_topic_earns_only_with_its_demands_down_by_the_schemes_share(scheme, staff):
    for code in (B, C):
        answer(staff, order_in(code), True, "resolved", "satisfied")
    b_street, c_street = Unit.objects.get(code=B), Unit.objects.get(code=C)
    for i, (owner, change) in enumerate(((b_street, -0.45), (c_street, -0.05))):
        topic = Topic.objects.create(
            key=f"t:{i}",
            kind=Topic.Kind.CLUSTER,
            status=Topic.Status.EVALUATED,
            title=f"主题{i}",
            owner=owner,
            effect={"change": change},
            created_at=CALLED,
        )
        TopicEvent.objects.create(
            topic=topic, kind="evaluate", from_status="done", to_status="evaluated", at=VERIFIED_IN_OCTOBER
        )
    snapshot = freeze()
    assert row(snapshot, B).proactive_bonus == Decimal("0.50") and row(snapshot, C).proactive_bonus == 0
    assert snapshot.credits.get(unit=c_street).reason == "too_little_effect"
    assert row(snapshot, B).score == row(snapshot, C).score + Decimal("0.50")


def test_nobody_verifies_their_own_units_actions(scheme, staff, district, handler_b):
    action = act(staff, B)
    colleague = UserFactory(username="t_pa_lead_b", role="unit_leader", unit=Unit.objects.get(code=B))
    for user in (staff["handlers"][B], colleague, staff["handlers"][C]):
        with pytest.raises(Forbidden):
            action_decide(action=action, by=user, verified=True)
    with pytest.raises(InvalidInput) as no_reason:
        action_decide(action=action, by=district, verified=False, note="")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(InvalidInput) as no_evidence:
        action_record(
            by=staff["handlers"][B],
            category=Category.objects.filter(level=3).first(),
            area=Unit.objects.get(code=B),
            acted_on=CALLED.date(),
            what="巡查",
        )
    assert no_evidence.value.code == "evidence_required"
    with pytest.raises(InvalidInput):  # another street's area
        action_record(
            by=staff["handlers"][B],
            category=Category.objects.filter(level=3).first(),
            area=Unit.objects.get(code=C),
            acted_on=CALLED.date(),
            what="巡查",
            evidence="照片",
        )
