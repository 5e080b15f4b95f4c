"""The beat (hotline.core.beat): one schedule however many beats run, and admins' edits kept."""

import datetime as dt

import pytest
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from hotline import celery_app
from hotline.core.beat import STANDBY_SECONDS, GuardedDatabaseScheduler


@pytest.fixture
def beats(db, monkeypatch):
    # The scheduler tidies Django's connections before each read (close_old_connections); inside the
    # test's transaction that would close the connection holding it. Everything else is the real thing:
    # the PostgreSQL advisory lock on its own connection, django-celery-beat's table.
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)
    made = []

    def make():
        scheduler = GuardedDatabaseScheduler(app=celery_app)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler._lock.release()


def test_a_second_beat_stands_by_until_the_first_one_goes_away(beats):
    first, second = beats(), beats()
    assert first.is_active() is True
    assert second.is_active() is False
    # Standing by, the second beat sends nothing: it only asks again later.
    assert second.tick() == STANDBY_SECONDS
    assert first.is_active() is True  # still held, checked on its own connection
    # The first beat ran the sweep a moment ago and stored it, then its process ends (PostgreSQL drops
    # its session lock): the second one takes over from the stored last run, not from its own start.
    ran = timezone.now() - dt.timedelta(seconds=20)
    PeriodicTask.objects.filter(name="sweep-deadlines").update(last_run_at=ran)
    first._lock.release()
    assert second.is_active() is True
    assert second.schedule["sweep-deadlines"].last_run_at == ran
    assert beats().is_active() is False


def test_a_restart_keeps_what_an_admin_changed_in_the_schedule(beats):
    beats()  # the first start installs the code's entries
    daily = PeriodicTask.objects.get(name="build-daily-report")
    daily.crontab = CrontabSchedule.objects.create(minute="15", hour="7", timezone="Asia/Shanghai")
    daily.save()
    PeriodicTask.objects.filter(name="expire-articles").update(enabled=False)
    PeriodicTask.objects.filter(name="sweep-deadlines").delete()  # back to the code's default at restart

    restarted = beats()
    daily.refresh_from_db()
    assert (daily.crontab.hour, daily.crontab.minute) == ("7", "15")
    assert PeriodicTask.objects.get(name="expire-articles").enabled is False
    assert "expire-articles" not in restarted.schedule
    assert PeriodicTask.objects.get(name="sweep-deadlines").crontab.minute == "*"
    assert PeriodicTask.objects.filter(name="build-daily-report").count() == 1
