"""A real Celery worker on Redis runs a task sent by the platform (not eager)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from hotline import celery_app
from hotline.core.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
def test_a_task_runs_on_a_real_worker_through_redis():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "run through `make test`: it points Celery at Redis"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hotline", "worker", "-Q", queue, "--pool=solo", "--loglevel=INFO"],
        cwd=ROOT,
        env={**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False)
    try:
        token = uuid.uuid4().hex
        result = ping.apply_async(kwargs={"token": token}, queue=queue)
        answer = result.get(timeout=60)
        assert answer["token"] == token
        assert answer["pid"] == worker.pid  # it ran in the worker process, not in the test
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "core.ping" in output
