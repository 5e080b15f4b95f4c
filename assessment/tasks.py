from celery import shared_task


@shared_task(name="assessment.score_previous_month")
def score_previous_month() -> str:
    """Beat runs this on the 1st of each month (hotline/schedules.py) for the month just ended."""
    from django.utils import timezone

    from .services import previous_month, score_month

    return str(score_month(previous_month(timezone.localdate())))
