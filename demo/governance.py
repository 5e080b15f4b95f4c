"""主动治理 in the demo: a 每月一题 at work with its milestones, 未诉先办 actions (one verified, one waiting
for 东城区 to verify) and a street's 民主协商 — so the leaders' dashboard, the monthly report's section and
a street's page have something to show on the first `make run`. Idempotent: each record is made once
(its key), however often seeddemo runs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from governance import services
from governance.models import Consultation, ProactiveAction, Topic
from hotline.core.models import Category, Unit, User

STREET, NEIGHBOUR = "110101001", "110101002"


def governance_seed(now: dt.datetime | None = None) -> int:
    """The demo's 主动治理 records; how many it made (0 when they exist)."""
    now = now or timezone.now()
    made = 0
    street = Unit.objects.get(code=STREET)
    leaf = Category.objects.filter(level=3, is_active=True).order_by("code")
    handler, neighbour = User.objects.get(username=f"h{STREET}"), User.objects.get(username=f"h{NEIGHBOUR}")
    district_leader = User.objects.get(username=f"l{street.parent.code}")
    supervisor, leader = User.objects.get(username="supervisor"), User.objects.get(username="leader")
    if not Topic.objects.filter(title="每月一题：老旧小区加装电梯").exists():
        topic = services.topic_create(
            by=leader,
            kind=Topic.Kind.MONTHLY,
            title="每月一题：老旧小区加装电梯",
            note="市领导确定的本月每月一题：加装电梯诉求集中的老旧小区，逐楼摸底、协商、推进。",
            street=street,
            at=now - dt.timedelta(days=12),
        )
        services.topic_approve(topic=topic, by=supervisor, note="列入每月一题", at=now - dt.timedelta(days=11))
        services.topic_start(
            topic=topic,
            by=supervisor,
            owner=street,
            plan="1. 逐楼摸底意愿；2. 召开居民协商会；3. 对接区住建委办理审批；4. 年底前开工两部。",
            at=now - dt.timedelta(days=10),
        )
        topic.refresh_from_db()
        services.milestone_add(
            topic=topic,
            by=handler,
            title="完成逐楼摸底",
            due_at=now + dt.timedelta(days=5),
            at=now - dt.timedelta(days=9),
        )
        services.milestone_add(
            topic=topic,
            by=handler,
            title="召开居民协商会",
            due_at=now + dt.timedelta(days=20),
            at=now - dt.timedelta(days=9),
        )
        made += 1
    if not ProactiveAction.objects.filter(request_key="demo-action-drains").exists():
        action = services.action_record(
            by=handler,
            category=leaf.first(),
            area=street,
            place="东华门大街",
            acted_on=timezone.localdate(now) - dt.timedelta(days=6),
            what="入冬前排查辖区独居老人家中暖气，入户48户，修复漏水3处",
            evidence="入户登记表、维修前后照片（街道台账第12号）",
            people_affected=48,
            request_key="demo-action-drains",
            at=now - dt.timedelta(days=6),
        )
        services.action_decide(
            action=action, by=district_leader, verified=True, note="抽查5户属实", at=now - dt.timedelta(days=4)
        )
        made += 1
    if not ProactiveAction.objects.filter(request_key="demo-action-waiting").exists():
        services.action_record(
            by=neighbour,
            category=leaf.first(),
            area=Unit.objects.get(code=NEIGHBOUR),
            acted_on=timezone.localdate(now) - dt.timedelta(days=1),
            what="降雪前在坡道、台阶铺设防滑垫，设置提示牌20块",
            evidence="现场照片6张",
            people_affected=3000,
            request_key="demo-action-waiting",
            at=now - dt.timedelta(days=1),
        )
        made += 1
    if not Consultation.objects.filter(unit=street).exists():
        services.consultation_record(
            by=handler,
            unit=street,
            held_on=timezone.localdate(now) - dt.timedelta(days=3),
            kind=Consultation.Kind.RESIDENTS,
            convenor="东华门街道办事处",
            participants="居民代表15人、物业公司、区住建委",
            parties=["residents", "enterprises", "departments"],
            issues="加装电梯费用分摊，低层住户的顾虑",
            decisions="按楼层系数分摊；低层住户意见单独听取；下月再议",
            at=now - dt.timedelta(days=3),
        )
        made += 1
    return made
