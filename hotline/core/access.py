"""One access model: who may do what, by name, in one place (django `rules`).

Every "may this user …" of the platform is a named permission here, built from role predicates; the
apps above core ask by name (`may(user, "dispatch.dispatch_demand")`) from their services (which take
the actor and refuse with `Forbidden`), views, API permissions and templates (`{% load rules %}{%
has_perm "…" user as ok %}`, through the authentication backend in settings). Core names the
permissions of the apps above it as strings and imports none of them. *Which* objects a user sees
stays the queryset scoping of `selectors.visible_to` (a unit sees its subtree); the permissions here
answer whether the role may act at all, and per object where the unit matters.

Superusers pass every rule (they are the platform's administrators, role or not)."""

from __future__ import annotations

import rules

from .choices import Role, UnitLevel
from .exceptions import Forbidden


def has_role(*roles: str) -> rules.Predicate:
    """A predicate: the user is active, authenticated and holds one of `roles`, or is a superuser."""
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_role({', '.join(sorted(wanted))})")
    def check(user) -> bool:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return bool(user.is_superuser or user.role in wanted)

    return check


is_agent = has_role(Role.AGENT)
is_dispatcher = has_role(Role.DISPATCHER)
is_callback_agent = has_role(Role.CALLBACK)
is_supervisor = has_role(Role.SUPERVISOR)
is_leader = has_role(Role.LEADER)
is_admin = has_role(Role.ADMIN)
is_unit_staff = has_role(Role.HANDLER, Role.UNIT_LEADER)
is_unit_leader = has_role(Role.UNIT_LEADER)
is_kb_editor = has_role(Role.KB_EDITOR)


@rules.predicate(name="is_active_superuser")
def is_active_superuser(user) -> bool:
    return bool(user is not None and getattr(user, "is_superuser", False) and user.is_active)


@rules.predicate
def handles_order(user, order) -> bool:
    """The order is held by the user's unit or a unit below it (a district handles its streets' orders).
    Duck-typed on `order.unit`: core names no model of the apps above it."""
    unit = getattr(user, "unit", None)
    return order is not None and unit is not None and order.unit.is_within(unit)


@rules.predicate
def oversees_unit_of(user, obj) -> bool:
    """The object's unit is strictly below the user's (a district over its streets' whistles)."""
    unit = getattr(user, "unit", None)
    return obj is not None and unit is not None and obj.unit_id != unit.pk and obj.unit.is_within(unit)


@rules.predicate
def leads_it(user, obj) -> bool:
    """The object's owner unit is the user's (a governance topic the unit leads). Duck-typed on `owner_id`."""
    unit_id = getattr(user, "unit_id", None)
    return obj is not None and unit_id is not None and getattr(obj, "owner_id", None) == unit_id


@rules.predicate
def at_the_center(user) -> bool:
    """The user belongs to the city center (市级12345), not to a district or street."""
    unit = getattr(user, "unit", None)
    return unit is not None and unit.level == UnitLevel.CENTER


@rules.predicate
def in_a_unit(user) -> bool:
    """The user belongs to a handling unit (a street, district, department, enterprise), not the center."""
    unit = getattr(user, "unit", None)
    return unit is not None and unit.level != UnitLevel.CENTER


@rules.predicate
def has_a_unit(user) -> bool:
    return getattr(user, "unit_id", None) is not None


@rules.predicate
def reviews_for_the_district(user, appeal) -> bool:
    """The appeal went to the user's own unit, the district that reviews it first (区级审核)."""
    return appeal is not None and appeal.district_id is not None and user.unit_id == appeal.district_id


@rules.predicate
def in_users_area(user, obj) -> bool:
    """The object's unit (an appeal's, a 批示's) is the user's or lies below it."""
    unit = getattr(user, "unit", None)
    return obj is not None and unit is not None and obj.unit.is_within(unit)


@rules.predicate
def reviews_rectification(user, rectification) -> bool:
    """The rectification is reviewed by the user's unit (the district over the unit that owes it)."""
    unit_id = getattr(user, "unit_id", None)
    return rectification is not None and unit_id is not None and rectification.reviewer_unit_id == unit_id


@rules.predicate
def helps_the_street(user, guidance) -> bool:
    """The user belongs to the department assigned to help a 治理类 street (督导)."""
    unit = getattr(user, "unit", None)
    return guidance is not None and unit is not None and guidance.department.is_within(unit)


@rules.predicate
def issued_it(user, obj) -> bool:
    """The user issued the object (a 批示 hop: the leader who wrote it, or whoever relayed it)."""
    return obj is not None and getattr(user, "pk", None) is not None and obj.leader_id == user.pk


@rules.predicate
def raises_for_own_street(user, topic) -> bool:
    """A street's initiative: about the user's own street (or one below the user's unit)."""
    unit = getattr(user, "unit", None)
    street = getattr(topic, "street", None)
    return (
        topic is not None
        and getattr(topic, "kind", "") == "initiative"
        and unit is not None
        and street is not None
        and street.is_within(unit)
    )


is_staff_member = has_role(*Role.values)  # anyone with a role at the hotline or a unit
# The hotline's own staff at the city center see every demand (the queryset scoping of selectors).
is_city_hotline_staff = is_active_superuser | (
    (is_agent | is_dispatcher | is_callback_agent | is_supervisor | is_leader | is_admin) & at_the_center
)
is_city_reviewer = is_active_superuser | ((is_supervisor | is_admin) & at_the_center)
is_unit_member = is_unit_staff & in_a_unit


PERMISSIONS: dict[str, rules.Predicate] = {
    # --- 信息发现 intake
    # The agent's desk and POST /api/v1/demands/: recording a call (and its live panels).
    "intake.record_demand": is_agent | is_dispatcher | is_admin,
    "intake.record_history": is_agent | is_dispatcher | is_admin,
    "intake.verify_history": is_dispatcher | is_admin,
    # 智能派单: the model's suggestions for a text (the desk's panel, POST /api/v1/intake/classify/); a dispatcher
    # sets the category of imported history or corrects an automatic one; the accuracy page is read by those
    # who run the hotline; an administrator trains, activates and sets auto-dispatch.
    "intake.classify": is_agent | is_dispatcher | is_admin,
    "intake.categorise": is_dispatcher | is_admin,
    "intake.view_classifier": is_dispatcher | is_supervisor | is_leader | is_admin | (is_agent & at_the_center),
    "intake.manage_classifier": is_admin,
    # Who may ask to see a caller's full identity at all (logged); which callers is the object's scope.
    "intake.reveal_caller": is_unit_staff | is_dispatcher | is_callback_agent | is_supervisor | is_admin,
    # --- 信息下达 dispatch
    # Orders and demands, read: the unit queue and order page, GET /api/v1/work-orders/ and /demands/
    # (which ones: the queryset scoping of visible_to).
    "dispatch.view_orders": has_role(*(role for role in Role.values if role != Role.KB_EDITOR)),
    # The dispatcher's queue and its decisions: dispatch, 改派, rule on returns, extensions and 挂账.
    "dispatch.dispatch_demand": is_dispatcher | is_admin,
    # Sign, handle, return, reply, ask for time: the staff of the unit holding the order (an object rule).
    "dispatch.handle_order": is_active_superuser | (is_unit_staff & handles_order),
    # 重办: the hotline sends a replied or closed order back for another round.
    "dispatch.reopen_order": is_dispatcher | is_callback_agent | is_supervisor | is_admin,
    # ... whatever the citizen answered (a callback agent reopens only after unresolved or unsatisfied).
    "feedback.rehandle_unasked": is_dispatcher | is_supervisor | is_admin,
    # The supervisors' page: red and overdue orders, 催办单 and 督办单.
    "dispatch.supervise": is_supervisor | is_dispatcher | is_admin,
    # 督办单: the unit's leader signs it in person (签办; per 督办单, by its unit); a supervisor verifies the
    # measures and closes it, or issues it again.
    "dispatch.sign_supervision": is_active_superuser | (is_unit_leader & handles_order),
    # 亲自签办: the unit's leader signs for an order in person (per order, by its unit); the leader's queue
    # counts what waits for that signature.
    "dispatch.sign_as_leader": is_active_superuser | (is_unit_leader & handles_order),
    "dispatch.leader_queue": is_active_superuser | is_unit_leader,
    "dispatch.verify_supervision": is_supervisor | is_admin,
    # 吹哨报到: the district over the lead unit (its staff) or a dispatcher confirms a whistle (per whistle).
    "dispatch.confirm_whistle": is_dispatcher | is_admin | (is_unit_staff & oversees_unit_of),
    # 首接负责: a second return of an order, after one was rejected, needs a supervisor.
    "dispatch.approve_return": is_supervisor | is_admin,
    # --- 信息上传 feedback
    # The hotline's check of replies (审核), and the worklist that holds it.
    "feedback.review_reply": is_dispatcher | is_callback_agent | is_admin,
    # 回访: the city center's callback agents call citizens back (they see the full number).
    "feedback.record_callback": is_active_superuser | ((is_callback_agent | is_admin) & at_the_center),
    # --- 压力感知 assessment
    # The rankings are published to every unit: every staff member reads them (page and API).
    "assessment.view_rankings": is_staff_member,
    # 申诉: a handling unit's own staff appeal its items.
    "assessment.appeal": is_unit_member,
    # The review page: the city's reviewers, and the leaders and supervisors who review for a district.
    "assessment.review_appeals": is_city_reviewer | ((is_unit_leader | is_supervisor | is_admin) & has_a_unit),
    # The city's decision (市级审核) on appeals and exemptions.
    "assessment.decide_appeal": is_city_reviewer,
    # The district's first review of one appeal (an object rule).
    "assessment.review_appeal_for_district": (is_unit_leader | is_supervisor | is_admin) & reviews_for_the_district,
    # Who reads one appeal and its evidence (an object rule).
    "assessment.read_appeal": is_city_reviewer
    | ((is_unit_leader | is_supervisor | is_admin) & reviews_for_the_district)
    | (is_unit_member & in_users_area),
    # 批示 on an order, a ranking row or a report item; 不合理诉求 proposed for exemption.
    "assessment.write_instruction": is_leader | is_admin,
    # Who follows every 批示 and its answer (a unit sees those addressed to its subtree).
    "assessment.follow_instructions": is_leader | is_supervisor | is_admin,
    # A 批示 hop (per hop): the addressed unit's staff answer it; its leaders (a district's 区领导 or unit
    # leader), or a 督查 supervisor over it, relay it down; whoever issued it closes it or returns the answer.
    "assessment.answer_instruction": is_unit_member & in_users_area,
    "assessment.relay_instruction": is_active_superuser
    | ((is_unit_leader | is_leader | is_supervisor) & in_users_area),
    "assessment.close_instruction": is_active_superuser | issued_it,
    "assessment.propose_exemption": is_dispatcher | is_admin,
    # Consequences after the ranking: leaders and supervisors follow every unit's (and export a referral's
    # evidence); a listed unit's staff submit its plan (per rectification), the district over it — or, for a
    # unit without one, the city's supervisors — review it; the department helping a 治理类 street records
    # its plan and visits (per guidance).
    "assessment.follow_consequences": is_leader | is_supervisor | is_admin,
    "assessment.submit_rectification": is_unit_member & in_users_area,
    "assessment.review_rectification": is_city_reviewer | ((is_unit_leader | is_supervisor) & reviews_rectification),
    "assessment.record_guidance": is_active_superuser | (is_unit_member & helps_the_street),
    # --- 主动治理 governance
    # The proposal queue and the topics: those who follow the city's problems, and a unit's staff for
    # the topics of the unit's area and those it leads (which ones: governance.selectors.topics_visible_to).
    "governance.view_topics": is_leader | is_supervisor | is_dispatcher | is_admin | (is_unit_staff & has_a_unit),
    # A supervisor takes a proposal up as a topic, or dismisses it.
    "governance.decide_topic": is_supervisor | is_admin,
    # The work on a topic (milestones, reporting it done): supervisors, and the staff of the unit leading it.
    "governance.run_topic": is_supervisor | is_admin | (is_unit_member & leads_it),
    # A topic raised by hand: a 批示 or 每月一题 by the city's leaders and supervisors; a street's initiative by
    # its own staff (per topic, by its street) or a supervisor. It is a proposal until a supervisor approves.
    "governance.raise_topic": is_supervisor | is_admin | is_leader | (is_unit_member & raises_for_own_street),
    # 未诉先办: a unit's staff record their unit's actions (per action, by its unit); the district over the
    # unit (its leaders and supervisors) or the city's reviewers verify them — never the acting unit.
    "governance.record_action": is_unit_member & in_users_area,
    "governance.verify_action": is_city_reviewer | ((is_unit_leader | is_supervisor) & oversees_unit_of),
    # 民主协商 / 联席会商: a street's own staff record them (per record, by its street); supervisors too.
    "governance.record_consultation": is_supervisor | is_admin | (is_unit_member & in_users_area),
    # --- 知识库
    # Policy answers are read by every staff member (the search page and GET /api/v1/knowledge/articles/).
    "knowledge_base.read_articles": is_staff_member,
    "knowledge_base.edit_article": is_kb_editor | is_admin,
    # --- 压力感知 reports
    # 《市民热线反映》 for the leaders and supervisors of a unit (each reads their own subtree).
    "reports.read_reports": is_active_superuser
    | ((is_leader | is_unit_leader | is_supervisor | is_admin) & has_a_unit),
    "reports.build_report": is_active_superuser | ((is_leader | is_supervisor | is_admin) & at_the_center),
    "reports.reveal_key_case": is_leader | is_supervisor | is_admin,
    # --- the platform
    "core.administer": is_admin,
    # Next year's holidays and 调休 days (节假日安排): administrators load them; supervisors are told when missing.
    "core.manage_calendar": is_admin,
    "core.see_calendar_notice": is_admin | is_supervisor,
    # One's own inbox (通知): every staff member.
    "core.read_notifications": is_staff_member,
    # Two-step login (TOTP) may be turned on by administrators and leaders.
    "core.use_two_step_login": is_admin | is_leader,
}

for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)


def may(user, permission: str, obj=None) -> bool:
    """Whether `user` holds `permission` (a name of PERMISSIONS). An unknown name is a programming error."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}: add it to hotline.core.access.PERMISSIONS")
    return rules.has_perm(permission, user, obj)


def require(user, permission: str, obj=None, *, message: str, code: str = "permission_denied") -> None:
    """A service's actor check: `Forbidden(message)` unless `user` holds `permission` (on `obj`)."""
    if not may(user, permission, obj):
        raise Forbidden(message, code=code)
