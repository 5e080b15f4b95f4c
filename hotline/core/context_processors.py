from .navigation import navigation_for
from .selectors import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    # The unread count, lazily: a page that does not show the navigation asks nothing.
    return {"nav_items": navigation_for(user), "unread_notifications": lambda: unread_count(user)}
