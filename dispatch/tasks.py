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


@shared_task(name="dispatch.requeue_calendar")
def requeue_calendar() -> int:
    """Every 10 minutes: a calendar application the broker did not take (it was down), or that waited
    while another ran, is sent again. The task claims it once, so a second send is harmless."""
    import datetime as dt

    from django.utils import timezone

    from .models import CalendarApplication

    waiting = CalendarApplication.objects.filter(
        status=CalendarApplication.Status.QUEUED, requested_at__lte=timezone.now() - dt.timedelta(minutes=5)
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(waiting):
        try:
            apply_calendar.delay(pk)
        except Exception:
            break  # still no broker: next time
        sent += 1
    return sent
