"""Writes of 主动治理. A history import runs as a job (HistoryImport) whose row shows its progress and,
at the end, its report; the command and the admin's upload both go through `history_import_run`."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from hotline.core.access import may
from hotline.core.choices import NotificationKind, Role, UnitLevel
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.notify import notify
from hotline.core.selectors import unit_people

from .imports import ImportFileError, demands_import
from .models import Consultation, HistoryImport, Milestone, Topic, TopicEvent
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
