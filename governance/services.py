"""Writes of 主动治理. A history import runs as a job (HistoryImport) whose row shows its progress and,
at the end, its report; the command and the admin's upload both go through `history_import_run`."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from hotline.core.access import may
from hotline.core.choices import NotificationKind, Role, UnitLevel
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.notify import notify
from hotline.core.selectors import unit_people
from hotline.core.uploads import check_files, described

from .imports import ImportFileError, demands_import
from .models import ActionEvent, Attachment, Consultation, HistoryImport, Milestone, ProactiveAction, Topic, TopicEvent
from .selectors import EFFECT_MIN_DAYS, topic_effect

logger = logging.getLogger(__name__)


def history_import_create(*, by=None, source: str = "", file=None, fmt: str = "", dry_run=False, skip_invalid=False):
    """A queued import of `file` (an upload) or of the file at `source` (the command line)."""
    suffix = Path(getattr(file, "name", "") or source).suffix.lstrip(".").lower()
    # The file's own suffix wins over a format left at its default (an .xlsx uploaded "as CSV").
    fmt = (suffix if suffix in HistoryImport.Format.values else fmt or "csv").lower()
    job = HistoryImport(
        source=source or getattr(file, "name", ""),
        format=fmt if fmt in HistoryImport.Format.values else HistoryImport.Format.CSV,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        created_by=by if getattr(by, "pk", None) else None,
        created_at=timezone.now(),
    )
    if file is not None:
        job.file.save(Path(file.name).name, file, save=False)
    job.save()
    return job


def history_import_run(*, job: HistoryImport, echo=None) -> HistoryImport:
    """Run a queued import to its end; its row follows the progress (outside the writing transaction, so
    the admin's page sees it move). `echo(stage, rows, fraction)` also gets each step (the command).
    Whatever happens, the job ends done, refused or failed, and an uploaded file is deleted."""
    HistoryImport.objects.filter(pk=job.pk).update(status=HistoryImport.Status.RUNNING)

    def progress(stage: str, rows: int, fraction: float) -> None:
        HistoryImport.objects.filter(pk=job.pk).update(stage=stage, rows_read=rows, fraction=fraction)
        if echo:
            echo(stage, rows, fraction)

    path = Path(job.file.path) if job.file else Path(job.source)
    try:
        report = demands_import(
            path=path,
            fmt=job.format,
            dry_run=job.dry_run,
            skip_invalid=job.skip_invalid,
            by=job.created_by,
            progress=progress,
        )
    except (ImportFileError, OSError) as exc:
        job.status, job.detail = HistoryImport.Status.FAILED, str(exc)
    except Exception as exc:  # the job must not stay "running" forever: it failed, and says with what
        logger.exception("history import %s failed", job.pk)
        job.status, job.detail = HistoryImport.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        job.report = report.as_dict()
        job.rows_read, job.fraction = report.rows, 1.0
        refused = report.invalid and not job.skip_invalid
        job.status = HistoryImport.Status.REFUSED if refused else HistoryImport.Status.DONE
    finally:
        if job.file:  # an upload holds callers' names and numbers in clear: gone once read (the report stays)
            job.file.delete(save=False)
    job.stage, job.finished_at = "", timezone.now()
    job.save()
    return job


# --- governance topics (治理主题) -------------------------------------------------------------------------


def _topic_step(topic, *, by, name: str, note: str = "", at=None, permission="governance.decide_topic", prepare=None):
    """One transition of a topic, checked, saved and written as an event, in one transaction; `prepare`
    (locked topic, at) sets what the step records and may refuse it."""
    if not may(by, permission, topic):
        raise Forbidden(_("You may not take this step on this topic."), code="topic_forbidden")
    at = at or timezone.now()
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        method = getattr(locked, name)
        if not can_proceed(method):
            raise StateConflict(
                _("The topic is %(status)s: it cannot be %(step)s now.")
                % {"status": locked.get_status_display(), "step": name}
            )
        before = locked.status
        data = prepare(locked, at) if prepare else {}
        method()
        if name in ("approve", "dismiss"):
            locked.decided_by, locked.decided_at, locked.note = by, at, note
        locked.save()
        TopicEvent.objects.create(
            topic=locked,
            kind=name,
            from_status=before,
            to_status=locked.status,
            by=by,
            at=at,
            note=note,
            data=data or {},
        )
    return locked


def topic_approve(*, topic, by, note: str = "", at=None):
    return _topic_step(topic, by=by, name="approve", note=note.strip(), at=at)


def topic_dismiss(*, topic, by, reason: str, at=None):
    if not (reason or "").strip():
        raise InvalidInput(_("Say why the proposal is dismissed."), code="reason_required")
    return _topic_step(topic, by=by, name="dismiss", note=reason.strip(), at=at)


def topic_start(*, topic, by, owner, plan: str, leader=None, title: str = "", at=None):
    """An approved topic is set to work: the unit that leads it (牵头单位), the leader answering for it,
    the plan (and, optionally, a clearer title). The owner unit's leaders are told."""
    if owner is None or not owner.is_active or owner.level == UnitLevel.COMMUNITY:
        raise InvalidInput(_("Choose the unit that leads the work (not a community)."), code="owner_required")
    if not (plan or "").strip():
        raise InvalidInput(_("Write the plan: what will be done, by whom, by when."), code="plan_required")
    if leader is not None and not (
        leader.is_active
        and leader.role in (Role.UNIT_LEADER, Role.LEADER)
        and leader.unit is not None
        and owner.path.startswith(leader.unit.path)
    ):
        raise InvalidInput(
            _("The responsible leader is a leader of the lead unit or of a unit above it."), code="invalid_leader"
        )

    def prepare(locked, at):
        locked.owner, locked.leader, locked.plan, locked.started_at = owner, leader, plan.strip(), at
        if title.strip():
            locked.title = title.strip()[:200]
        notify(
            users=unit_people([owner.pk], [Role.UNIT_LEADER]) + ([leader.pk] if leader else []),
            kind=NotificationKind.TOPIC_ASSIGNED,
            data={"topic": locked.title},
            key=f"topic_assigned:{locked.pk}",
            url=f"/governance/topics/{locked.pk}/",
            at=at,
        )
        return {"owner": owner.code, "leader": getattr(leader, "username", None)}

    return _topic_step(topic, by=by, name="start", note=plan.strip()[:2000], at=at, prepare=prepare)


def topic_finish(*, topic, by, note: str = "", at=None):
    """The owner unit (or a supervisor) reports the work done; the demands since are its effect."""

    def prepare(locked, at):
        locked.done_at = at
        Milestone.objects.filter(topic=locked, done_at__isnull=True).update(remind_at=None)
        return {}

    return _topic_step(
        topic, by=by, name="finish", note=note.strip(), at=at, permission="governance.run_topic", prepare=prepare
    )


def topic_evaluate(*, topic, by, note: str = "", at=None):
    """A supervisor evaluates a topic by its measured effect (governance.selectors.topic_effect), once
    at least EFFECT_MIN_DAYS have passed since the work ended: a result is measured, not declared."""

    def prepare(locked, at):
        if at - locked.done_at < dt.timedelta(days=EFFECT_MIN_DAYS):
            raise StateConflict(
                _("The effect is measured on %(days)s days after the work at least: evaluate from %(date)s.")
                % {
                    "days": EFFECT_MIN_DAYS,
                    "date": timezone.localtime(locked.done_at + dt.timedelta(days=EFFECT_MIN_DAYS)).date(),
                },
                code="too_early",
            )
        locked.effect = topic_effect(locked, at)
        return {"change": locked.effect["change"]}

    return _topic_step(topic, by=by, name="evaluate", note=note.strip(), at=at, prepare=prepare)


MILESTONE_NOTICE = dt.timedelta(days=1)  # a milestone's reminder: a day before it falls due


def milestone_add(*, topic, by, title: str, due_at: dt.datetime, at=None) -> Milestone:
    """A step of the plan of a topic at work (it has its lead unit: someone to remind)."""
    if not may(by, "governance.run_topic", topic):
        raise Forbidden(_("You may not take this step on this topic."), code="topic_forbidden")
    if not (title or "").strip():
        raise InvalidInput(_("Name the milestone."), code="title_required")
    at = at or timezone.now()
    if not at < due_at < at + dt.timedelta(days=3660):
        raise InvalidInput(_("A milestone falls due in the future (within ten years)."), code="invalid_due")
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)  # not while it is being finished
        if locked.status != Topic.Status.IN_PROGRESS:
            raise StateConflict(_("Milestones belong to a topic at work."))
        milestone = Milestone.objects.create(
            topic=locked, title=title.strip()[:200], due_at=due_at, remind_at=max(at, due_at - MILESTONE_NOTICE)
        )
        TopicEvent.objects.create(
            topic=locked,
            kind="milestone",
            from_status=locked.status,
            to_status=locked.status,
            by=by,
            at=at,
            note=milestone.title,
            data={"due_at": due_at.isoformat()},
        )
    return milestone


def milestone_done(*, milestone, by, at=None) -> Milestone:
    if not may(by, "governance.run_topic", milestone.topic):
        raise Forbidden(_("You may not take this step on this topic."), code="topic_forbidden")
    at = at or timezone.now()
    with transaction.atomic():
        topic = Topic.objects.select_for_update().get(pk=milestone.topic_id)
        if topic.status != Topic.Status.IN_PROGRESS:
            raise StateConflict(_("Milestones belong to a topic at work."))
        updated = Milestone.objects.filter(pk=milestone.pk, done_at__isnull=True).update(done_at=at, remind_at=None)
        if not updated:
            raise StateConflict(_("This milestone is already done."))
        TopicEvent.objects.create(
            topic=topic,
            kind="milestone_done",
            from_status=topic.status,
            to_status=topic.status,
            by=by,
            at=at,
            note=milestone.title,
        )
    milestone.refresh_from_db()
    return milestone


def milestones_due(*, now: dt.datetime | None = None) -> int:
    """The sweep: each milestone whose reminder time has come is claimed by compare-and-swap on its
    `remind_at` (so two workers or a rerun remind once) and its owner unit's leaders are told."""
    now = now or timezone.now()
    told = 0
    for milestone in Milestone.objects.filter(remind_at__lte=now).select_related("topic")[:500]:
        with transaction.atomic():
            claimed = Milestone.objects.filter(pk=milestone.pk, remind_at=milestone.remind_at).update(
                remind_at=None, reminded_at=now
            )
            if not claimed:
                continue
            topic = milestone.topic
            people = unit_people([topic.owner_id], [Role.UNIT_LEADER]) if topic.owner_id else []
            notify(
                users=people + ([topic.leader_id] if topic.leader_id else []),
                kind=NotificationKind.MILESTONE_DUE,
                data={
                    "milestone": milestone.title,
                    "topic": topic.title,
                    "due": timezone.localtime(milestone.due_at).strftime("%Y-%m-%d %H:%M"),
                },
                key=f"milestone_due:{milestone.pk}",
                url=f"/governance/topics/{topic.pk}/",
                at=milestone.remind_at,
            )
            told += 1
    return told


# --- 民主协商 / 联席会商 ----------------------------------------------------------------------------------


def consultation_record(
    *,
    by,
    unit,
    held_on: dt.date,
    kind: str,
    convenor: str,
    participants: str,
    issues: str,
    decisions: str,
    parties=(),
    order_numbers=(),
    topic_ids=(),
    at=None,
) -> Consultation:
    """A street's consultation, recorded by its own staff (or a supervisor): linked to the orders and
    topics it was about, each of which the recorder must be able to see."""
    from dispatch.selectors import work_orders_visible_to

    from .selectors import topics_visible_to

    at = at or timezone.now()
    if unit is None or unit.level != UnitLevel.STREET:
        raise InvalidInput(_("A consultation is held by a street or township."), code="invalid_street")
    record = Consultation(unit=unit)
    if not may(by, "governance.record_consultation", record):
        raise Forbidden(_("Only the street's own staff record its consultations."), code="record_forbidden")
    if not dt.date(2000, 1, 1) <= held_on <= timezone.localdate(at):
        raise InvalidInput(_("The date is a past day."), code="invalid_date")
    if kind not in Consultation.Kind.values:
        raise InvalidInput(_("Unknown kind of consultation."), code="invalid_kind")
    if set(parties) - set(Consultation.Party.values):
        raise InvalidInput(_("Unknown kind of participant."), code="invalid_party")
    texts = {"convenor": convenor, "participants": participants, "issues": issues, "decisions": decisions}
    if missing := [name for name, text in texts.items() if not (text or "").strip()]:
        raise InvalidInput(_("Fill in: %(fields)s.") % {"fields": ", ".join(missing)}, code="required")
    numbers = {n.strip() for n in order_numbers if n and n.strip()}
    orders = list(work_orders_visible_to(by).filter(number__in=numbers)) if numbers else []
    if unknown := numbers - {o.number for o in orders}:
        raise InvalidInput(
            _("No order %(numbers)s in your view.") % {"numbers": ", ".join(sorted(unknown))}, code="unknown_order"
        )
    topics = list(topics_visible_to(by).filter(pk__in=set(topic_ids))) if topic_ids else []
    if len(topics) != len(set(topic_ids)):
        raise InvalidInput(_("A linked topic is not in your view."), code="unknown_topic")
    with transaction.atomic():
        record.held_on, record.kind, record.parties = held_on, kind, sorted(set(parties))
        record.convenor, record.participants = convenor.strip()[:100], participants.strip()
        record.issues, record.decisions = issues.strip(), decisions.strip()
        record.recorded_by, record.recorded_at = by, at
        record.save()
        record.orders.set(orders)
        record.topics.set(topics)
    return record


# --- 未诉先办 (proactive actions) ---------------------------------------------------------------------------


def _attach(files, at, **owner) -> None:
    for upload in files:
        Attachment.objects.create(file=upload, uploaded_at=at, **described(upload), **owner)


def action_record(
    *,
    by,
    category,
    area,
    acted_on: dt.date,
    what: str,
    evidence: str = "",
    people_affected: int = 0,
    place: str = "",
    topic_id: int | None = None,
    files=(),
    request_key: str = "",
    at=None,
) -> ProactiveAction:
    """A unit's 未诉先办 action, recorded by its own staff for their unit, in their own area, with its
    evidence (a text, or files, or both): it waits for the district's or the hotline's verification. A
    retried submission (the same `request_key`) returns the action it recorded, not a second one."""
    from .selectors import action_area, topics_visible_to

    at = at or timezone.now()
    unit = getattr(by, "unit", None)
    if unit is None or not may(by, "governance.record_action", ProactiveAction(unit=unit)):
        raise Forbidden(_("A unit's own staff record its 未诉先办 actions."), code="record_forbidden")
    record = ProactiveAction(unit=unit)
    key = (request_key or "").strip()[:64]
    if key and (done := ProactiveAction.objects.filter(request_key=key, unit=unit).first()):
        return done
    if category is None or not category.is_active:
        raise InvalidInput(_("Choose the matter category."), code="category_required")
    if (
        area is None
        or area.level not in (UnitLevel.STREET, UnitLevel.COMMUNITY)
        or not area.path.startswith(action_area(unit).path)
    ):
        raise InvalidInput(_("Choose a street or community of your area."), code="invalid_area")
    if not dt.date(2000, 1, 1) <= acted_on <= timezone.localdate(at):
        raise InvalidInput(_("The date is a past day."), code="invalid_date")
    if not (what or "").strip():
        raise InvalidInput(_("Say what was done."), code="what_required")
    files = check_files(files)
    if not (evidence or "").strip() and not files:
        raise InvalidInput(
            _("Give the evidence: a description (a photo's place, a record's number) or files."),
            code="evidence_required",
        )
    if people_affected is None or not 0 <= int(people_affected) <= 10_000_000:
        raise InvalidInput(_("People affected: a number from 0 to 10,000,000."), code="invalid_people")
    topic = None
    if topic_id:
        topic = topics_visible_to(by).filter(pk=topic_id).first()
        if topic is None:
            raise InvalidInput(_("The linked topic is not in your view."), code="unknown_topic")
    record.category, record.area, record.acted_on, record.topic = category, area, acted_on, topic
    record.what, record.evidence = what.strip(), (evidence or "").strip()
    record.place, record.people_affected = (place or "").strip()[:200], int(people_affected)
    record.recorded_by, record.recorded_at, record.request_key = by, at, key or None
    try:
        with transaction.atomic():
            record.save()
            ActionEvent.objects.create(action=record, kind="recorded", to_status=record.status, by=by, at=at)
            _attach(files, at, action=record)
    except IntegrityError:  # the same key, submitted twice at once (or by another unit): never two rows
        done = ProactiveAction.objects.filter(request_key=key, unit=unit).first() if key else None
        if done is None:
            raise StateConflict(
                _("This submission key was already used: reload the form and submit again."), code="duplicate_key"
            ) from None
        return done
    people = unit_people([unit.parent_id], [Role.UNIT_LEADER]) if unit.parent_id else []
    notify(
        users=people,
        kind=NotificationKind.ACTION_TO_VERIFY,
        data={"unit": unit.name, "what": record.what[:60]},
        key=f"action_to_verify:{record.pk}",
        url=f"/governance/actions/{record.pk}/",
        at=at,
    )
    return record


def action_decide(*, action, by, verified: bool, note: str = "", at=None) -> ProactiveAction:
    """The district over the acting unit, or the hotline, verifies an action (it happened, before anyone
    called) or does not, saying why. Nobody verifies their own unit's actions."""
    if not may(by, "governance.verify_action", action):
        raise Forbidden(
            _("The district over the unit, or the hotline, verifies its actions; never the unit itself."),
            code="verify_forbidden",
        )
    note = (note or "").strip()
    if not verified and not note:
        raise InvalidInput(_("Say why it is not verified."), code="reason_required")
    at = at or timezone.now()
    with transaction.atomic():
        locked = ProactiveAction.objects.select_for_update().get(pk=action.pk)
        if locked.recorded_by_id == getattr(by, "pk", None):
            raise Forbidden(_("Nobody verifies an action they recorded."), code="verify_forbidden")
        step = locked.verify if verified else locked.reject
        if not can_proceed(step):
            raise StateConflict(
                _("This action is already decided (%(status)s).") % {"status": locked.get_status_display()},
                code="already_decided",
            )
        before = locked.status
        step()
        locked.verified_by, locked.verified_at, locked.verdict_note = by, at, note
        locked.save()
        ActionEvent.objects.create(
            action=locked,
            kind="verify" if verified else "reject",
            from_status=before,
            to_status=locked.status,
            by=by,
            at=at,
            note=note,
        )
    return locked


# --- topics not from the mining; progress reports ---------------------------------------------------------


def topic_create(
    *,
    by,
    kind: str,
    title: str,
    note: str = "",
    category=None,
    street=None,
    district=None,
    at=None,
) -> Topic:
    """A topic raised by people, not by the mining: a leader's 批示, the city leaders' 每月一题 choice, or a
    street's own initiative. It starts as a proposal, like a mined one, and goes the same way: a
    supervisor approves it and sets it to work. A street raises initiatives about itself only."""
    import uuid

    at = at or timezone.now()
    if kind not in (Topic.Kind.INSTRUCTION, Topic.Kind.MONTHLY, Topic.Kind.INITIATIVE):
        raise InvalidInput(
            _("A topic raised by hand is a 批示, a 每月一题 or a street's initiative."), code="invalid_kind"
        )
    probe = Topic(kind=kind, street=street, owner=street)
    if not may(by, "governance.raise_topic", probe):
        raise Forbidden(_("You may not raise this kind of topic here."), code="topic_forbidden")
    if not (title or "").strip():
        raise InvalidInput(_("Give the topic a title: the place and the problem."), code="title_required")
    if street is not None and street.level != UnitLevel.STREET:
        raise InvalidInput(_("Choose a street or township."), code="invalid_street")
    if district is None and street is not None:
        district = street.parent
    with transaction.atomic():
        topic = Topic.objects.create(
            key=f"{kind}:{uuid.uuid4().hex}",
            kind=kind,
            title=title.strip()[:200],
            note=(note or "").strip(),
            category=category,
            street=street,
            district=district,
            created_at=at,
        )
        TopicEvent.objects.create(
            topic=topic, kind="created", to_status=topic.status, by=by, at=at, note=(note or "").strip()[:2000]
        )
    return topic


def topic_report_progress(*, topic, by, note: str, files=(), at=None) -> TopicEvent:
    """A progress report on a topic at work (what was done since the last one), with its files."""
    if not may(by, "governance.run_topic", topic):
        raise Forbidden(_("You may not take this step on this topic."), code="topic_forbidden")
    if not (note or "").strip():
        raise InvalidInput(_("Say what was done."), code="note_required")
    files = check_files(files)
    at = at or timezone.now()
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.status != Topic.Status.IN_PROGRESS:
            raise StateConflict(_("Progress is reported on a topic at work."), code="not_in_progress")
        event = TopicEvent.objects.create(
            topic=locked,
            kind="progress",
            from_status=locked.status,
            to_status=locked.status,
            by=by,
            at=at,
            note=note.strip(),
        )
        _attach(files, at, event=event)
    return event
