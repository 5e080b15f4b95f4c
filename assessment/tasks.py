from celery import shared_task


@shared_task(name="assessment.score_settled_months")
def score_settled_months() -> list[str]:
    """Beat runs this daily (hotline/schedules.py) and the worker at start-up (hotline/celery.py): every
    month whose settlement window has closed and that has no snapshot yet is frozen (a run missed while
    the platform was down is caught up; beat does not replay missed crontabs)."""
    from .consequences import consequences_catch_up
    from .services import score_settled_months as run

    frozen = [str(snapshot) for snapshot in run()]
    consequences_catch_up()  # right after the freeze: the listed units' obligations, once per month
    return frozen


@shared_task(name="assessment.score_preview")
def score_preview() -> list[str]:
    """Nightly: each unit's month so far (预览), marked as a preview."""
    from .services import score_preview as run

    return [str(snapshot) for snapshot in run()]


@shared_task(name="assessment.score_previous_month")
def score_previous_month() -> list[str]:
    """Kept for schedules saved before score_settled_months replaced it: does the same."""
    return score_settled_months()


@shared_task(name="assessment.instructions_overdue")
def instructions_overdue() -> int:
    """Every five minutes (hotline/schedules.py): 批示 hops past their due date unanswered escalate, once."""
    from .instructions import instructions_overdue as run

    return run()


@shared_task(name="assessment.consequences")
def consequences() -> list[str]:
    """Daily after the freeze (and after every score_settled_months): each frozen month's consequences, once."""
    from .consequences import consequences_catch_up

    return [
        f"{c.period:%Y-%m}: {len(c.rectifications)} rectifications, {len(c.referrals)} referrals"
        for c in consequences_catch_up()
    ]


@shared_task(name="assessment.rectifications_overdue")
def rectifications_overdue() -> int:
    """Hourly (hotline/schedules.py): rectifications still owed past their due date escalate, once."""
    from .consequences import rectifications_overdue as run

    return run()
