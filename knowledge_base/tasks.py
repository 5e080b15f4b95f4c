from celery import shared_task


@shared_task(name="knowledge_base.expire_articles")
def expire_articles() -> dict:
    """Beat runs this daily (hotline/schedules.py): articles past their validity are expired."""
    from .services import articles_expire, expiring_soon

    return {"expired": articles_expire(), "expiring_soon": expiring_soon().count()}
