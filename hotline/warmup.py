"""What a process loads once, done when it starts rather than on the first request that needs it:
each app's `warm_up()` (its AppConfig), e.g. the Chinese segmenter's dictionary (≈ 1 s, the first
knowledge search of a process) and the CJK font of the report charts. Called by gunicorn's post_worker_init
(hotline/gunicorn.py) and by each Celery worker process as it starts (hotline/celery.py)."""

from __future__ import annotations

import logging
import time

from django.apps import apps

log = logging.getLogger(__name__)


def warm_up() -> float:
    started = time.perf_counter()
    for config in apps.get_app_configs():
        if hasattr(config, "warm_up"):
            config.warm_up()
    elapsed = time.perf_counter() - started
    log.info("warmed up in %.2f s", elapsed)
    return elapsed
