from celery import shared_task


@shared_task(name="dispatch.sweep_deadlines")
def sweep_deadlines() -> dict:
    """Beat runs this every minute (hotline/schedules.py); overlapping runs are safe by design."""
    from .sweep import deadlines_sweep

    result = deadlines_sweep()
    return {
        "reminders": result.reminders,
        "urges": result.urges,
        "supervisions": result.supervisions,
        "supervisions_overdue": result.supervisions_overdue,
        "whistle_checks": result.whistle_checks,
    }


@shared_task(name="dispatch.apply_calendar")
def apply_calendar(application_id: int) -> str:
    """Next year's calendar, applied by a worker (the calendar page shows its progress)."""
    from .calendar import calendar_application_run

    application = calendar_application_run(application_id)
    return application.status if application is not None else "skipped"
