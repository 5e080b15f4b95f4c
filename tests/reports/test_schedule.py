"""The beat schedule holds each report job exactly once, at the times the issue names, and installing it
again (every beat start) does not duplicate it."""

from celery.schedules import crontab
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from hotline import celery_app
from hotline.schedules import BEAT_SCHEDULE


def report_entries(schedule: dict) -> dict:
    return {e["kwargs"]["kind"]: e for e in schedule.values() if e["task"] == "reports.build_scheduled"}


def test_one_entry_per_report_kind_at_six():
    entries = report_entries(BEAT_SCHEDULE)
    assert sorted(entries) == ["daily", "monthly", "weekly"]
    assert len([e for e in BEAT_SCHEDULE.values() if e["task"] == "reports.build_scheduled"]) == 3
    assert entries["daily"]["schedule"] == crontab(hour=6, minute=0)
    assert entries["weekly"]["schedule"] == crontab(day_of_week=1, hour=6, minute=0)
    # The monthly report is of the last settled month: looked for every morning, built once.
    assert entries["monthly"]["schedule"] == crontab(hour=6, minute=30)
    # …after the settled months were scored and the month so far previewed, earlier that morning.
    scoring = BEAT_SCHEDULE["score-settled-months"]["schedule"]
    preview = BEAT_SCHEDULE["score-preview"]["schedule"]
    assert scoring == crontab(hour=2, minute=0) and preview == crontab(hour=1, minute=30)


def test_installing_the_schedule_twice_keeps_one_row_each(db):
    # What DatabaseScheduler.update_from_dict does for each entry at every beat start.
    for _ in range(2):
        for name, fields in celery_app.conf.beat_schedule.items():
            DatabaseScheduler.Entry.from_entry(name, app=celery_app, **fields)
    rows = PeriodicTask.objects.filter(task="reports.build_scheduled")
    assert sorted(rows.values_list("name", flat=True)) == [
        "build-daily-report",
        "build-monthly-report",
        "build-weekly-report",
    ]
    daily = rows.get(name="build-daily-report")
    assert (daily.crontab.hour, daily.crontab.minute, daily.kwargs) == ("6", "0", '{"kind": "daily"}')
