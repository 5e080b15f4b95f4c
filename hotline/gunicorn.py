"""gunicorn settings for the web processes (`gunicorn --config python:hotline.gunicorn`): each worker
warms what would otherwise load on its first request, so no agent on a call waits for it."""


def post_worker_init(worker):
    # After the worker has loaded the Django application (post_fork runs before: no app registry yet).
    from hotline.warmup import warm_up

    warm_up()
