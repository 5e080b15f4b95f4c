from .navigation import navigation_for
from .selectors import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    # The unread count, lazily: a page that does not show the navigation asks nothing.
    return {"nav_items": navigation_for(user), "unread_notifications": lambda: unread_count(user)}


def calendar_notice(request):
    """From 1 November, the year ahead without its holidays (节假日安排未导入): a banner for those who run the
    hotline, until an administrator loads it. Asked lazily, and at most every ten minutes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def missing():
        from django.core.cache import cache
        from django.utils import timezone

        from .access import may
        from .models import CalendarYear

        if not may(user, "core.see_calendar_notice"):
            return None
        today = timezone.localdate()
        if today.month < 11:
            return None
        key = f"core:calendar-missing:{today.year + 1}"
        year = cache.get(key)
        if year is None:
            year = 0 if CalendarYear.objects.filter(year=today.year + 1).exists() else today.year + 1
            cache.set(key, year, 600)
        return year or None

    return {"calendar_missing_year": missing}
