from celery import shared_task


@shared_task(name="governance.history_import")
def history_import(*, import_id: int) -> str:
    """An uploaded history file (the admin): runs the import job to its end."""
    from .models import HistoryImport
    from .services import history_import_run

    job = HistoryImport.objects.filter(pk=import_id, status=HistoryImport.Status.QUEUED).first()
    if job is None:  # already run (a redelivered message) or deleted
        return "skipped"
    return history_import_run(job=job).status


@shared_task(name="governance.mine_topics")
def mine_topics() -> dict:
    """Nightly: the last 30 days' demands mined for topics to govern (governance.mining)."""
    from .mining import topics_mine

    result = topics_mine()
    return {"proposed": result.proposed, "refreshed": result.refreshed, "skipped": result.skipped}


@shared_task(name="governance.milestones_due")
def milestones_due() -> int:
    """Every 10 minutes: the milestones falling due tomorrow are reminded to their owner unit, once."""
    from .services import milestones_due as run

    return run()
