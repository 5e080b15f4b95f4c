"""One access model (issue 18, point 4): every URL of the platform, asked by every role from every level
of the organisation tree, in the browser and through the API.

- Each capability the browser and the API both offer is a pair; for every user the two answer alike:
  refused (403), not found (404: outside the user's area), or let through (the page, a form error, a
  conflict of state: whatever comes after the access check).
- Every other page answers what its rule (hotline.core.access) says: open to the holders, 403 to the rest.
- Every URL the platform serves is in one of those tables or named as public, with its reason: a new URL
  without an access decision fails here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from dispatch.actions import ACTIONS
from dispatch.models import SupervisionOrder
from dispatch.services import work_order_sign
from feedback.models import Callback
from feedback.services import reply_accept, work_order_reply
from hotline.core.access import may
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from knowledge_base.search import searchable
from tests.factories import UserFactory, main_order, make_demand

STREET_A, STREET_B, DISTRICT = "110101001", "110101002", "110101"
# Who sits where: every role at the city center, the district sub-center's staff, two streets' staff.
SEATS = [
    *((role, CENTER_CODE) for role in ("agent", "dispatcher", "callback", "supervisor", "leader", "kb_editor")),
    *((role, CENTER_CODE) for role in ("admin", "handler", "unit_leader")),
    *((role, DISTRICT) for role in ("handler", "unit_leader", "dispatcher", "supervisor", "leader", "callback")),
    ("handler", STREET_A),
    ("unit_leader", STREET_A),
    ("handler", STREET_B),
]

LOGIN, DENIED, HIDDEN, THROUGH = "login", "denied", "hidden", "through"


def outcome(response) -> str:
    if response.status_code == 401 or (response.status_code == 302 and "/accounts/login/" in response["Location"]):
        return LOGIN
    return {403: DENIED, 404: HIDDEN}.get(response.status_code, THROUGH)


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    data: dict | None = None


@pytest.fixture
def world(reference, agent, dispatcher, callback_agent):
    """An order of street A, replied and accepted (a callback waits); a demand waiting for a dispatcher;
    a published article."""
    order = main_order(make_demand(by=agent, street=STREET_A))
    handler = UserFactory(username="mx_h_a", role="handler", unit=Unit.objects.get(code=STREET_A))
    work_order_sign(order=order, by=handler)
    work_order_reply(
        order=type(order).objects.get(pk=order.pk),
        by=handler,
        contacted=True,
        contacted_at=dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已处理",
        reply_to_hotline="已处理",
    )
    accepted = reply_accept(order=type(order).objects.get(pk=order.pk), by=dispatcher)
    pending = make_demand(by=agent, street=None, address="")
    now = timezone.now()
    supervision = SupervisionOrder.objects.create(
        number="DB-matrix",
        order=accepted,
        unit=accepted.unit,
        order_deadline=accepted.deadline,
        issued_at=now,
        due_at=now + dt.timedelta(days=2),
    )
    return {
        "supervision": supervision.pk,
        "order": accepted.pk,
        "demand": accepted.demand_id,
        "pending": pending.pk,
        "callback": Callback.objects.get(order=accepted).pk,
        "article": searchable().values_list("pk", flat=True).first(),
    }


def pairs(w) -> dict[str, tuple[Call, Call]]:
    """Browser and API, the same capability."""
    o, d = w["order"], w["demand"]
    found = {
        "take a call": (Call("get", "/dispatch/desk/"), Call("post", "/api/v1/demands/", {})),
        "see an order": (Call("get", f"/dispatch/orders/{o}/"), Call("get", f"/api/v1/work-orders/{o}/")),
        "see a demand": (Call("get", f"/dispatch/demands/{d}/"), Call("get", f"/api/v1/demands/{d}/")),
        "the queue": (Call("get", "/dispatch/unit/"), Call("get", "/api/v1/work-orders/")),
        "reveal a caller": (
            Call("post", f"/dispatch/demands/{d}/reveal/", {"reason": "核实地址"}),
            Call("post", f"/api/v1/demands/{d}/reveal/", {"reason": "核实地址"}),
        ),
        "dispatch a demand": (
            Call("post", f"/dispatch/demands/{w['pending']}/dispatch/", {}),
            Call("post", f"/api/v1/demands/{w['pending']}/dispatch/", {}),
        ),
        "record a problem's year": (
            Call("post", f"/dispatch/orders/{o}/history/", {}),
            Call("post", f"/api/v1/demands/{d}/history/", {"problem_since": None}),
        ),
        "verify a problem's year": (
            Call("post", f"/dispatch/orders/{o}/verify_history/", {}),
            Call("post", f"/api/v1/demands/{d}/verify-history/", {}),
        ),
        "call the citizen back": (
            Call("get", f"/feedback/callbacks/{w['callback']}/"),
            Call("post", f"/api/v1/work-orders/{o}/callback/", {}),
        ),
        "read the rankings": (Call("get", "/assessment/rankings/"), Call("get", "/api/v1/assessment/rankings/")),
        "the 主动治理 queue": (Call("get", "/governance/topics/"), Call("get", "/api/v1/governance/topics/")),
        "read consultations": (
            Call("get", "/governance/consultations/"),
            Call("get", "/api/v1/governance/consultations/"),
        ),
        "read 未诉先办 actions": (Call("get", "/governance/actions/"), Call("get", "/api/v1/governance/actions/")),
        "search the knowledge": (
            Call("get", "/knowledge/?q=公积金"),
            Call("get", "/api/v1/knowledge/articles/?q=公积金"),
        ),
        "read an article": (
            Call("get", f"/knowledge/articles/{w['article']}/"),
            Call("get", f"/api/v1/knowledge/articles/{w['article']}/"),
        ),
        "read the reports": (Call("get", "/reports/list/"), Call("get", "/api/v1/reports/")),
        "suggest categories": (
            Call("post", "/dispatch/desk/suggestions/", {"content": "路灯不亮"}),
            Call("post", "/api/v1/intake/classify/", {"content": "路灯不亮"}),
        ),
        "the classifier's accuracy": (Call("get", "/intake/classifier/"), Call("get", "/api/v1/intake/classifier/")),
        "the leader's morning": (Call("get", "/reports/"), Call("get", "/api/v1/reports/")),
        "the accounts": (Call("get", "/system/"), Call("get", "/api/v1/users/")),
        "one's inbox": (Call("get", "/notifications/"), Call("get", "/api/v1/notifications/")),
        "see a 督办单": (
            Call("get", f"/dispatch/supervision/{w['supervision']}/"),
            Call("get", f"/api/v1/supervision-orders/{w['supervision']}/"),
        ),
    }
    # Every action of the order page that the API offers too, under its API name.
    for name in ACTIONS:
        api_name = {"return": "return"}.get(name, name.replace("_", "-"))
        if name in ("history", "verify_history"):
            continue  # the demand's endpoints, above
        found[f"order action {name}"] = (
            Call("post", f"/dispatch/orders/{o}/{name}/", {}),
            Call("post", f"/api/v1/work-orders/{o}/{api_name}/", {}),
        )
    for step in ("sign", "answer", "verify", "reissue"):
        found[f"督办单 {step}"] = (
            Call("post", f"/dispatch/supervision/{w['supervision']}/{step}/", {}),
            Call("post", f"/api/v1/supervision-orders/{w['supervision']}/{step}/", {}),
        )
    return found


# Pages (and their live panels) with no API twin: each answers what its rule says.
PAGES = {
    "/dispatch/": ("get", "dispatch.dispatch_demand"),
    "/dispatch/supervision/": ("get", "dispatch.supervise"),
    "/dispatch/calendar/": ("get", "core.manage_calendar"),
    "/dispatch/calendar/progress/": ("get", "core.manage_calendar"),
    "/dispatch/search/": ("get", "dispatch.view_orders"),
    "/dispatch/unit/sign/": ("post", "dispatch.view_orders"),
    "/dispatch/desk/caller/": ("post", "intake.record_demand"),
    "/dispatch/desk/duplicates/": ("post", "intake.record_demand"),
    "/intake/street/": ("post", "intake.record_demand"),
    "/intake/templates/": ("get", "intake.record_demand"),
    "/feedback/callbacks/": ("get", "feedback.review_reply"),
    "/assessment/rules/": ("get", "assessment.view_rankings"),
    "/assessment/instructions/": ("get", "assessment.view_rankings"),
    "/assessment/consequences/": ("get", "assessment.view_rankings"),
    "/knowledge/manage/": ("get", "knowledge_base.edit_article"),
    "/knowledge/manage/new/": ("get", "knowledge_base.edit_article"),
    "/knowledge/manage/export.xlsx": ("get", "knowledge_base.edit_article"),
    "/knowledge/suggestions/": ("post", "knowledge_base.read_articles"),
    "/notifications/read/": ("post", "core.read_notifications"),
}
# Forms on one order (panels of the order page): the order page's rule, the user's area (404 outside it),
# then their own rule.
OBJECT_PAGES = {
    "/assessment/orders/{order}/exemption/": ("post", "assessment.propose_exemption"),
    "/assessment/orders/{order}/instruction/": ("post", "assessment.write_instruction"),
}

# Every named URL, and where this test covers it (or why it needs no access decision).
COVERED_ELSEWHERE = {
    # Open to everyone by design: signing in, the citizen's side (portal, evaluation link, public
    # ranking), partners (Open311, with their API key), the schema.
    "home": "sends each user to the first page of their menu",
    "dispatch:order-attachment": "the order's scope (tests/dispatch/test_order_attachments.py)",
    "dispatch:demand-attachment": "the demand's scope (tests/intake/test_portal_matters.py)",
    "intake:template": "its owner only, 404 for anyone else (tests/intake/test_record_templates.py)",
    "login": "public",
    "logout": "public",
    "otp-verify": "the second step of a login",
    "otp-setup": "core.use_two_step_login (tests/core/test_otp.py)",
    "set_language": "public",
    "portal:submit": "public",
    "portal:status": "public, rate-limited",
    "public-rankings": "public",
    "evaluate": "the citizen's one-time link",
    "api-token": "public (it is the login)",
    "api-public-rankings": "public",
    "api-schema": "the published schema",
    "api-docs": "the published schema",
    "api-units": "reference data for every signed-in client",
    "api-unit": "reference data for every signed-in client",
    "api-categories": "reference data for every signed-in client",
    "open311:services": "Open311 (tests/open311)",
    "open311:service": "Open311 (tests/open311)",
    "open311:requests": "Open311 (tests/open311)",
    "open311:request": "Open311 (tests/open311)",
    # One object each, scoped by their own rules and tested with it.
    "assessment:scorecard": "a unit's month: assessment.view_rankings and the unit's scope (tests/assessment)",
    "assessment:appeal": "assessment.appeal on the unit's own item (tests/assessment/test_fairness.py)",
    "assessment:attachment": "assessment.read_appeal on the appeal (tests/assessment/test_fairness.py)",
    "assessment:review": "assessment.review_appeals; a street's leader has nothing to review (tests/assessment)",
    "reports:detail": "reports.read_reports and the reader's scope (tests/reports/test_pages.py)",
    "reports:progress": "reports.read_reports (tests/reports/test_pages.py)",
    "reports:instruct": "assessment.write_instruction on a report item (tests/reports/test_pages.py)",
    "reports:reveal": "reports.reveal_key_case (tests/reports/test_pages.py)",
    "reports:export_pdf": "reports.read_reports (tests/reports/test_pages.py)",
    "reports:export_xlsx": "reports.read_reports (tests/reports/test_pages.py)",
    "api-report": "reports.read_reports (tests/reports)",
    "api-report-pdf": "reports.read_reports (tests/reports)",
    "api-report-xlsx": "reports.read_reports (tests/reports)",
    "knowledge_base:edit": "knowledge_base.edit_article (tests/knowledge)",
    "knowledge_base:diff": "knowledge_base.edit_article (tests/knowledge)",
    "knowledge_base:action": "knowledge_base.edit_article (tests/knowledge)",
    "knowledge_base:import": "knowledge_base.edit_article (tests/knowledge)",
    "knowledge_base:not-helpful": "knowledge_base.read_articles (tests/knowledge)",
    "dispatch:demand-categorise": "intake.categorise on history without a category or an automatic one "
    "(tests/intake/test_classifier.py)",
    "api-demand-category": "intake.categorise on history without a category or an automatic one "
    "(tests/intake/test_classifier.py)",
    "api-reply-flags": "dispatch.view_orders, counted for the units of the user's area (tests/feedback/test_reply_quality.py)",
    "notification-open": "one's own notification, 404 for another's (tests/core/test_notifications.py)",
    "api-notification-read": "one's own notification, 404 for another's (tests/core/test_notifications.py)",
    "api-supervision-orders": "dispatch.view_orders, scoped to the area (tests/dispatch/test_supervision.py)",
    "assessment:instruction": "a 批示 hop in the user's view, 404 outside it (tests/assessment/test_instructions.py)",
    "assessment:instruction-action": "the hop's own rule: answer, relay, close (tests/assessment/test_instructions.py)",
    "api-instructions": "assessment.view_rankings, scoped to the user's 批示 (tests/assessment/test_instructions.py)",
    "api-instruction": "a 批示 hop in the user's view (tests/assessment/test_instructions.py)",
    "api-instruction-answer": "assessment.answer_instruction on the hop (tests/assessment/test_instructions.py)",
    "api-instruction-relay": "assessment.relay_instruction on the hop (tests/assessment/test_instructions.py)",
    "api-instruction-return": "assessment.close_instruction on the hop (tests/assessment/test_instructions.py)",
    "api-instruction-close": "assessment.close_instruction on the hop (tests/assessment/test_instructions.py)",
    "assessment:rectification": "a rectification in the user's view (tests/assessment/test_consequences.py)",
    "assessment:rectification-step": "submit / review rules per rectification (tests/assessment/test_consequences.py)",
    "assessment:guidance": "a guidance in the user's view (tests/assessment/test_consequences.py)",
    "assessment:guidance-step": "assessment.record_guidance per guidance (tests/assessment/test_consequences.py)",
    "assessment:referral-evidence": "assessment.follow_consequences (tests/assessment/test_consequences.py)",
    "api-rectifications": "assessment.view_rankings, scoped (tests/assessment/test_consequences.py)",
    "api-rectification-submit": "assessment.submit_rectification (tests/assessment/test_consequences.py)",
    "api-rectification-review": "assessment.review_rectification (tests/assessment/test_consequences.py)",
    "api-guidance": "assessment.view_rankings, scoped (tests/assessment/test_consequences.py)",
    "api-referrals": "assessment.view_rankings, scoped (tests/assessment/test_consequences.py)",
    "governance:topic": "a topic in the user's view (tests/governance/test_mining.py)",
    "governance:topic-step": "governance.decide_topic on a topic in view (tests/governance/test_pages.py)",
    "api-topic": "a topic in the user's view (tests/governance/test_mining.py)",
    "api-topic-demands": "a topic in the user's view (tests/governance/test_mining.py)",
    "api-topic-approve": "governance.decide_topic (tests/governance/test_mining.py)",
    "api-topic-dismiss": "governance.decide_topic (tests/governance/test_mining.py)",
    "api-topic-start": "governance.decide_topic (tests/governance/test_topics.py)",
    "api-topic-finish": "governance.run_topic on the topic (tests/governance/test_topics.py)",
    "api-topic-evaluate": "governance.decide_topic (tests/governance/test_topics.py)",
    "api-topic-milestones": "governance.run_topic on the topic (tests/governance/test_topics.py)",
    "api-topic-milestone-done": "governance.run_topic on the topic (tests/governance/test_topics.py)",
    "governance:milestone-done": "governance.run_topic on the topic (tests/governance/test_topics.py)",
    "api-topic-progress": "governance.run_topic on the topic (tests/governance/test_actions.py)",
    "governance:action": "an action in the user's view; governance.verify_action (tests/governance/test_actions.py)",
    "api-action": "an action in the user's view (tests/governance/test_actions.py)",
    "api-action-decide": "governance.verify_action on the action (tests/governance/test_actions.py)",
    "governance:attachment": "the action or topic it belongs to in view (tests/governance/test_actions.py)",
    "governance:street": "a street in the user's view (tests/governance/test_actions.py)",
    "api-street-governance": "a street in the user's view (tests/governance/test_actions.py)",
    "api-governance-progress": "governance.view_topics, rows of the user's area (tests/governance/test_actions.py)",
    "api-whistles": "dispatch.view_orders, scoped to the area (tests/dispatch/test_whistle.py)",
    "api-whistle": "dispatch.view_orders, scoped to the area (tests/dispatch/test_whistle.py)",
    "api-whistle-confirm": "dispatch.confirm_whistle on the whistle (tests/dispatch/test_whistle.py)",
    "api-whistle-decline": "dispatch.confirm_whistle on the whistle (tests/dispatch/test_whistle.py)",
    "api-whistle-joint-records": "dispatch.handle_order on the lead order (tests/dispatch/test_whistle.py)",
}


def url_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue  # Django's admin: staff accounts only, its own permissions
                yield from walk(
                    pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name

    return set(walk(get_resolver().url_patterns))


def ask(client, call: Call) -> str:
    """The answer to one request, whatever it changed rolled back (the next user finds the same world)."""
    with transaction.atomic():
        if call.method == "get":
            response = client.get(call.url)
        else:
            response = (
                client.post(call.url, call.data or {}, format="json")
                if isinstance(client, APIClient)
                else client.post(call.url, call.data or {})
            )
        transaction.set_rollback(True)
    return outcome(response)


@pytest.fixture
def people(reference, world):
    cast = []
    for i, (role, code) in enumerate(SEATS):
        superuser = role == "admin"
        user = UserFactory(
            username=f"mx_{role}_{code}_{i}",
            role=role,
            unit=Unit.objects.get(code=code),
            is_superuser=superuser,
            is_staff=superuser,
        )
        cast.append(user)
    return cast


def clients_of(user) -> tuple[Client, APIClient]:
    browser, api = Client(), APIClient()
    browser.force_login(user)
    api.force_authenticate(user)
    return browser, api


def test_the_browser_and_the_api_give_every_user_the_same_answer(world, people):
    disagreements, answers = [], {}
    for user in people:
        browser, api = clients_of(user)
        for capability, (page, endpoint) in pairs(world).items():
            seen, answered = ask(browser, page), ask(api, endpoint)
            if capability == "read the rankings":  # without a frozen month the API answers 404 (no snapshot)
                answered = THROUGH if answered == HIDDEN else answered
            if seen != answered:
                disagreements.append(f"{user.role}@{user.unit.code} {capability}: page {seen}, API {answered}")
            answers.setdefault(capability, set()).add(seen)
    assert not disagreements, "\n".join(disagreements)
    # Not a table of refusals: each capability lets someone through, and all but the open ones refuse someone.
    assert all(THROUGH in seen for seen in answers.values()), answers
    everyone = {"read the rankings", "search the knowledge", "read an article", "one's inbox"}
    assert all(seen - {THROUGH} for capability, seen in answers.items() if capability not in everyone), answers


def test_every_page_answers_what_its_rule_says(world, people):
    wrong = []
    for user in people:
        browser, _api = clients_of(user)
        for url, (method, rule) in PAGES.items():
            got = ask(browser, Call(method, url, {}))
            if (got != DENIED) != may(user, rule):
                wrong.append(f"{user.role}@{user.unit.code} {url}: {got}, rule {rule}: {may(user, rule)}")
        for url, (method, rule) in OBJECT_PAGES.items():
            got = ask(browser, Call(method, url.format(**world), {}))
            order_visible = ask(browser, Call("get", f"/dispatch/orders/{world['order']}/"))
            expected = order_visible if order_visible != THROUGH else (THROUGH if may(user, rule) else DENIED)
            if got != expected:
                wrong.append(f"{user.role}@{user.unit.code} {url}: {got}, expected {expected} ({rule})")
    assert not wrong, "\n".join(wrong)


def test_nobody_signed_out_gets_past_the_login(world):
    browser, api = Client(), APIClient()
    for capability, (page, endpoint) in pairs(world).items():
        assert ask(browser, page) == LOGIN, capability
        assert ask(api, endpoint) == LOGIN, capability
    for url, (method, _rule) in PAGES.items():
        assert ask(browser, Call(method, url, {})) == LOGIN, url


def test_every_url_has_an_access_decision(world):
    """A URL that is in none of the tables above has never been asked who may use it."""
    resolved = set()
    for page, endpoint in pairs(world).values():
        for call in (page, endpoint):
            from django.urls import resolve

            match = resolve(call.url.split("?")[0])
            resolved.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    for url in [*PAGES, *(u.format(**world) for u in OBJECT_PAGES)]:
        from django.urls import resolve

        match = resolve(url)
        resolved.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    undecided = url_names() - resolved - set(COVERED_ELSEWHERE)
    assert not undecided, f"URLs with no access decision: {sorted(undecided)}"
    assert not (set(COVERED_ELSEWHERE) - url_names()), "a URL named here no longer exists"


def test_a_menu_is_a_layout_not_a_key(world, people, monkeypatch):
    """Taking a page out of a role's menu hides the entry; whoever holds the page's rule still opens it."""
    from hotline.core import navigation
    from hotline.core.choices import Role

    dispatcher = next(u for u in people if u.role == "dispatcher" and u.unit.code == CENTER_CODE)
    browser, _api = clients_of(dispatcher)
    without = [i for i in navigation.ROLE_NAVIGATION[Role.DISPATCHER] if i != navigation.WORKBENCH_SUPERVISION]
    monkeypatch.setitem(navigation.ROLE_NAVIGATION, Role.DISPATCHER, without)
    page = browser.get("/dispatch/supervision/")
    assert page.status_code == 200
    assert 'href="/dispatch/supervision/"' not in browser.get("/dispatch/").content.decode()
