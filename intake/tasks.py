from celery import shared_task


@shared_task(name="intake.train_classifier")
def train_classifier() -> dict:
    """Nightly (智能派单): a new version trained on all history, active if it beats the current one on the
    new held-out slice; then imported history without a category is categorised where the model is sure."""
    from hotline.core.exceptions import DomainError

    from .services import classifier_train, history_autocategorise

    try:
        version = classifier_train()
    except DomainError as exc:
        return {"trained": False, "reason": exc.code}
    return {
        "trained": True,
        "version": version.version,
        "top1": version.top1,
        "top3": version.top3,
        "active": version.is_active,
        "history_categorised": history_autocategorise(),
    }
