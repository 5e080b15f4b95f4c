"""Every periodic job, in one place. The beat (hotline.core.beat) installs the entries missing from
django-celery-beat's table at start-up; admins may then adjust them in the admin, and a restart keeps
their edits. Each job is also a management command."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "dispatch.sweep_deadlines",
        "schedule": crontab(),  # every minute
        "options": {"expires": 55},
    },
    # 压力感知: each month is frozen once its settlement window (the first working days of the next month)
    # has closed; the job runs daily and catches up any month missed (also at worker start-up).
    "score-settled-months": {
        "task": "assessment.score_settled_months",
        "schedule": crontab(hour=2, minute=0),
    },
    # 批示 past their due date unanswered escalate one level (once per due date).
    "instructions-overdue": {
        "task": "assessment.instructions_overdue",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 280},
    },
    # A calendar application the broker did not take is sent again (the calendar page waits for it).
    "requeue-calendar": {
        "task": "dispatch.requeue_calendar",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    # History uploads the broker did not take (it was down when the admin uploaded them) are sent again.
    "requeue-imports": {
        "task": "governance.requeue_imports",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    # 整改 still owed past its due date: the reviewing district and the unit's supervisors are told, once.
    "rectifications-overdue": {
        "task": "assessment.rectifications_overdue",
        "schedule": crontab(minute=20),
        "options": {"expires": 3000},
    },
    # Consequences after the ranking (整改, 督导, 约谈/通报): each frozen month once, right after the freeze.
    "assessment-consequences": {
        "task": "assessment.consequences",
        "schedule": crontab(hour=2, minute=15),
    },
    # 主动治理: the milestones of the topics at work, reminded once a day before they fall due.
    "governance-milestones-due": {
        "task": "governance.milestones_due",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 560},
    },
    # 主动治理: the night's mining proposes governance topics (clusters, surges, repeats, seasons).
    "governance-mine-topics": {
        "task": "governance.mine_topics",
        "schedule": crontab(hour=3, minute=0),
    },
    # 智能派单: a new classifier version from all history, active if it beats the current one; imported history
    # without a category categorised where the model is sure enough.
    "train-classifier": {
        "task": "intake.train_classifier",
        "schedule": crontab(hour=3, minute=30),
    },
    # The month so far (预览) for every unit, before the daily and weekly reports read it.
    "score-preview": {
        "task": "assessment.score_preview",
        "schedule": crontab(hour=1, minute=30),
    },
    # 《市民热线反映》: the daily report of yesterday, the weekly of last week; the monthly of the last
    # settled month, once (after score-settled-months at 02:00 has frozen the ranking it reports).
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
        "schedule": crontab(hour=6, minute=30),
        "kwargs": {"kind": "monthly"},
    },
    # A build whose task never reached a worker (the broker was down when it was asked for) is sent again.
    "requeue-reports": {
        "task": "reports.requeue_stuck",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 280},
    },
    "expire-articles": {
        "task": "knowledge_base.expire_articles",
        "schedule": crontab(hour=1, minute=5),  # daily, Beijing time
    },
}
