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
    "expire-articles": {
        "task": "knowledge_base.expire_articles",
        "schedule": crontab(hour=1, minute=5),  # daily, Beijing time
    },
}
