from django.urls import path

from . import views

ACTIONS = {
    "reply": views.reply,
    "accept-reply": views.accept_reply,
    "send-back": views.send_back,
    "callback": views.callback,
    "reopen": views.reopen,
}

urlpatterns = [
    path(f"work-orders/<int:pk>/{name}/", view, name=f"api-work-order-{name}") for name, view in ACTIONS.items()
] + [path("feedback/reply-flags/", views.reply_flags, name="api-reply-flags")]
