"""Every periodic job, in one place. django-celery-beat's DatabaseScheduler installs these entries
at start-up (admins may then adjust them in the admin). Each job is also a management command."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "dispatch.sweep_deadlines",
        "schedule": crontab(),  # every minute
        "options": {"expires": 55},
    },
    "score-previous-month": {
        "task": "assessment.score_previous_month",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # 《市民热线反映》: the daily report of yesterday, the weekly of last week, the monthly of last month
    # (after score-previous-month at 02:00 has frozen the ranking it reports).
    "build-daily-report": {
        "task": "reports.build_scheduled",
        "schedule": crontab(hour=6, minute=0),
        "kwargs": {"kind": "daily"},
    },
    "build-weekly-report": {
        "task": "reports.build_scheduled",
        "schedule": crontab(day_of_week=1, hour=6, minute=0),
        "kwargs": {"kind": "weekly"},
    },
    "build-monthly-report": {
        "task": "reports.build_scheduled",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
        "kwargs": {"kind": "monthly"},
    },
    "expire-articles": {
        "task": "knowledge_base.expire_articles",
        "schedule": crontab(hour=1, minute=5),  # daily, Beijing time
    },
}
