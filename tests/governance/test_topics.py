"""A governance topic carried from proposal to evaluated (issue 20, point 3): approved, set to work with a
lead unit, a leader and a plan; a milestone reminded once; reported done by the unit; evaluated by the
measured effect — the demands about the problem before against after — never on the day it ended."""

import datetime as dt
from zoneinfo import ZoneInfo

from governance.mining import topics_mine
from governance.models import Topic
from governance.services import milestones_due
from hotline.core.models import Notification, Unit
from tests.factories import UserFactory
from tests.governance.test_mining import MIXER, demand

BJ = ZoneInfo("Asia/Shanghai")
MINED = dt.datetime(2026, 9, 1, 3, 0, tzinfo=BJ)


def as_(api, user):
    """Signed in with a token of today (the test travels in time; tokens expire)."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    return api.as_user(user)


def post(api, topic, step, body=None):
    return api.post(f"/api/v1/governance/topics/{topic.pk}/{step}/", body or {}, format="json")


def test_from_proposal_to_evaluated_by_the_measured_effect(api, reference, supervisor, time_machine):
    street = Unit.objects.get(code="110101001")
    street_leader = UserFactory(username="t_topic_sl", role="unit_leader", unit=street)
    other_leader = UserFactory(username="t_topic_ol", role="unit_leader", unit=Unit.objects.get(code="110101002"))
    # Three months of the mixing plant's noise: eighteen demands, six a month.
    for i in range(18):
        demand(MIXER[i % 6], MINED - dt.timedelta(days=1 + i * 5), phone=f"1360000{i:04d}")
    topics_mine(at=MINED, days=95)
    topic = Topic.objects.get(kind="cluster")
    assert topic.demand_count == 18

    time_machine.move_to(MINED + dt.timedelta(hours=6), tick=False)
    as_(api, supervisor)
    assert post(api, topic, "start", {"owner": "110101001", "plan": "x"}).status_code == 409  # not approved
    assert post(api, topic, "approve", {"note": "每月一题候选"}).json()["status"] == "approved"
    assert post(api, topic, "start", {"owner": "110101001", "plan": "  "}).status_code == 400
    started = post(
        api,
        topic,
        "start",
        {"owner": "110101001", "leader": "t_topic_sl", "plan": "搅拌站限时作业，夜间停工，加装隔音棚。"},
    ).json()
    assert started["status"] == "in_progress" and started["owner"] == "110101001" and started["leader"] == "t_topic_sl"
    assert Notification.objects.filter(user=street_leader, kind="topic_assigned").count() == 1

    # A milestone: reminded once, a day before it falls due.
    due = MINED + dt.timedelta(days=10)
    as_(api, street_leader)  # the lead unit runs its own work
    assert (
        api.post(
            f"/api/v1/governance/topics/{topic.pk}/milestones/",
            {"title": "隔音棚完工", "due_at": due.isoformat()},
            format="json",
        ).status_code
        == 201
    )
    assert milestones_due(now=due - dt.timedelta(days=2)) == 0
    assert milestones_due(now=due - dt.timedelta(hours=20)) == 1
    assert milestones_due(now=due - dt.timedelta(hours=19)) == 0  # once
    assert Notification.objects.filter(user=street_leader, kind="milestone_due").count() == 1

    # Another street's leader cannot report it done; the lead unit can.
    as_(api, other_leader)
    assert post(api, topic, "finish").status_code == 404  # not even in their view
    time_machine.move_to(MINED + dt.timedelta(days=20), tick=False)
    as_(api, street_leader)
    assert post(api, topic, "finish", {"note": "已完工"}).json()["status"] == "done"
    assert post(api, topic, "evaluate").status_code == 403  # the unit does not grade its own work

    # Evaluated on a month after the work at least; the demands since count, read or not by the mining.
    as_(api, supervisor)
    early = post(api, topic, "evaluate")
    assert early.status_code == 409 and early.json()["code"] == "too_early"
    demand("阳光小区搅拌站晚上又开工了，噪音扰民", MINED + dt.timedelta(days=35))
    time_machine.move_to(MINED + dt.timedelta(days=20 + 45), tick=False)
    as_(api, supervisor)
    response = post(api, topic, "evaluate", {"note": "噪音投诉明显下降"})
    evaluated = response.json()
    assert response.status_code == 200, evaluated
    effect = evaluated["effect"]
    assert evaluated["status"] == "evaluated"
    # Before and after by one rule (the street's demands naming 阳光小区 and 搅拌站): the misspelt ones the
    # mining linked (搅伴站) count on neither side.
    assert (effect["before"], effect["after"], effect["after_days"]) == (15, 1, 45)
    assert effect["before_per_30_days"] == 5.0 and effect["after_per_30_days"] == 0.7
    assert effect["change"] == -0.867  # (30/45 − 5) / 5: almost nine in ten fewer
    assert [kind for kind in Topic.objects.get(pk=topic.pk).events.values_list("kind", flat=True)] == [
        "proposed",
        "approve",
        "start",
        "milestone",
        "finish",
        "evaluate",
    ]


def test_a_unit_sees_only_its_own_area_of_a_citywide_callers_evidence(api, reference, supervisor):
    """A repeated caller's demands come from anywhere: a street's leader sees those of the street only."""
    for i, street in enumerate(["110101001", "110101001", "110101001", "110105001", "110105001"]):
        demand(f"第{i}次来电：还是没人管", MINED - dt.timedelta(days=i + 1), phone="13800138000", street=street)
    topics_mine(at=MINED)
    topic = Topic.objects.get(kind="repeat_caller")
    as_(api, supervisor)
    assert len(api.get(f"/api/v1/governance/topics/{topic.pk}/demands/").json()["results"]) == 5
    leader = UserFactory(username="t_cy_street", role="unit_leader", unit=Unit.objects.get(code="110105001"))
    topic.street = Unit.objects.get(code="110105001")  # the caller's last street: in this leader's view
    topic.save(update_fields=["street"])
    as_(api, leader)
    rows = api.get(f"/api/v1/governance/topics/{topic.pk}/demands/").json()["results"]
    assert len(rows) == 2 and all(row["street"] == "110105001" for row in rows)


def test_a_responsible_leader_leads_the_unit_or_one_above_it(api, reference, supervisor):
    for i, text in enumerate(MIXER):
        demand(text, MINED - dt.timedelta(days=i + 1))
    topics_mine(at=MINED)
    topic = Topic.objects.get(kind="cluster")
    UserFactory(username="t_far_leader", role="unit_leader", unit=Unit.objects.get(code="110105"))
    UserFactory(username="t_dc_leader", role="unit_leader", unit=Unit.objects.get(code="110101"))
    as_(api, supervisor)
    post(api, topic, "approve")
    far = post(api, topic, "start", {"owner": "110101001", "leader": "t_far_leader", "plan": "夜间停工"})
    assert far.status_code == 400 and far.json()["code"] == "invalid_leader"
    community = Unit.objects.filter(level="community").first()
    if community is not None:
        assert post(api, topic, "start", {"owner": community.code, "plan": "夜间停工"}).status_code == 400
    ok = post(api, topic, "start", {"owner": "110101001", "leader": "t_dc_leader", "plan": "夜间停工"})
    assert ok.status_code == 200 and ok.json()["leader"] == "t_dc_leader"
    # Milestones belong to a topic at work, within reason.
    far_future = (MINED + dt.timedelta(days=365 * 20)).isoformat()
    bad = api.post(
        f"/api/v1/governance/topics/{topic.pk}/milestones/", {"title": "x", "due_at": far_future}, format="json"
    )
    assert bad.status_code == 400
