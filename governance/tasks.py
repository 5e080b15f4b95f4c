from celery import shared_task


@shared_task(name="governance.history_import")
def history_import(*, import_id: int) -> str:
    """An uploaded history file (the admin): runs the import job to its end."""
    from .models import HistoryImport
    from .services import history_import_run

    # Claimed in one UPDATE: of two deliveries (a redelivered message, the requeue job), one runs it.
    if not HistoryImport.objects.filter(pk=import_id, status=HistoryImport.Status.QUEUED).update(
        status=HistoryImport.Status.RUNNING
    ):
        return "skipped"  # already taken, run, or deleted
    return history_import_run(job=HistoryImport.objects.get(pk=import_id)).status


@shared_task(name="governance.requeue_imports")
def requeue_imports() -> int:
    """Every 10 minutes: uploads the broker did not take (it was down) are sent again. The task claims a
    job once, so a second send of one that was taken meanwhile is harmless."""
    import logging

    from .selectors import imports_left_queued

    sent = 0
    for pk in imports_left_queued():
        try:
            history_import.delay(import_id=pk)
        except Exception:
            logging.getLogger(__name__).warning("history import %s stays queued: no broker", pk, exc_info=True)
            break
        sent += 1
    return sent


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
