"""The Celery application. Periodic schedules are declared in `hotline.schedules`, in one place."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

app = Celery("hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_filesystem_broker_folders() -> None:
    # Celery's filesystem transport does not create its folders; the embedded default must just work.
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@app.on_after_configure.connect
def _on_after_configure(sender, **kwargs):
    _ensure_filesystem_broker_folders()


@worker_process_init.connect
def _warm_up(**kwargs):
    from hotline.warmup import warm_up

    warm_up()


@worker_ready.connect
def _catch_up_on_start(sender=None, **kwargs):
    """Beat does not replay a crontab missed while the platform was down: a worker that starts enqueues
    the catch-up of the assessment's settled months (idempotent: a frozen month is left alone)."""
    if os.environ.get("HOTLINE_NO_STARTUP_CATCHUP") != "1":
        sender.app.send_task("assessment.score_settled_months")
