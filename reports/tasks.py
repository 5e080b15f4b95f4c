from celery import shared_task


@shared_task(name="reports.build")
def build_report(*, report_id: int) -> str:
    """Build a requested revision (queued by a leader's "build now" or a rebuild)."""
    from .services import report_build

    report = report_build(report_id)
    return f"{report} r{report.revision}: {report.status}" if report else f"report {report_id}: already taken"


@shared_task(name="reports.build_scheduled")
def build_scheduled(*, kind: str) -> str:
    """Beat (hotline/schedules.py): the last complete day, week or month."""
    from .services import report_build_scheduled

    report = report_build_scheduled(kind)
    return f"{report} r{report.revision}: {report.status}" if report else "nothing to build"


@shared_task(name="reports.requeue_stuck")
def requeue_stuck() -> str:
    """Beat: send again the builds still queued minutes after they were asked for (lost enqueues)."""
    from .services import report_requeue_stuck

    return f"{report_requeue_stuck()} re-enqueued"
