"""Writes of 主动治理. A history import runs as a job (HistoryImport) whose row shows its progress and,
at the end, its report; the command and the admin's upload both go through `history_import_run`."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from hotline.core.access import may
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict

from .imports import ImportFileError, demands_import
from .models import HistoryImport, Topic, TopicEvent


def history_import_create(*, by=None, source: str = "", file=None, fmt: str = "", dry_run=False, skip_invalid=False):
    """A queued import of `file` (an upload) or of the file at `source` (the command line)."""
    fmt = (fmt or Path(getattr(file, "name", "") or source).suffix.lstrip(".") or "csv").lower()
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
    the admin's page sees it move). `echo(stage, rows, fraction)` also gets each step (the command)."""
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
    else:
        job.report = report.as_dict()
        job.rows_read, job.fraction = report.rows, 1.0
        refused = report.invalid and not job.skip_invalid
        job.status = HistoryImport.Status.REFUSED if refused else HistoryImport.Status.DONE
    if job.file:  # an upload holds callers' names and numbers in clear: gone once read (the report stays)
        job.file.delete(save=False)
    job.stage, job.finished_at = "", timezone.now()
    job.save()
    return job


# --- governance topics (治理主题) -------------------------------------------------------------------------


def _topic_step(topic, *, by, name: str, note: str = "", at=None):
    """One transition of a topic, checked, saved and written as an event, in one transaction."""
    if not may(by, "governance.decide_topic"):
        raise Forbidden(_("Only a supervisor takes up or dismisses a proposed topic."), code="decide_forbidden")
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
        method()
        locked.decided_by, locked.decided_at, locked.note = by, at, note
        locked.save()
        TopicEvent.objects.create(
            topic=locked, kind=name, from_status=before, to_status=locked.status, by=by, at=at, note=note
        )
    return locked


def topic_approve(*, topic, by, note: str = "", at=None):
    return _topic_step(topic, by=by, name="approve", note=note.strip(), at=at)


def topic_dismiss(*, topic, by, reason: str, at=None):
    if not (reason or "").strip():
        raise InvalidInput(_("Say why the proposal is dismissed."), code="reason_required")
    return _topic_step(topic, by=by, name="dismiss", note=reason.strip(), at=at)
