from celery import shared_task


@shared_task(name="core.ping")
def ping(*, token: str) -> dict:
    """A liveness probe: a worker that runs it answers with the token and where it ran."""
    import os
    import socket

    return {"token": token, "pid": os.getpid(), "host": socket.gethostname()}


@shared_task(name="core.notifications_send")
def notifications_send(*, ids: list[int]) -> int:
    """Send the copies of new notifications through the outgoing channels (hotline.core.channels)."""
    from .channels import send

    return send(ids)
