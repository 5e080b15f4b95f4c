"""Pagination that stays fast on big tables: a cursor over an indexed ordering, no COUNT(*).
The page is `{"results": [...], "next": <url or null>, "previous": <url or null>}` (CONTRACT.md)."""

from rest_framework.pagination import CursorPagination


class CodeCursorPagination(CursorPagination):
    ordering = "code"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class UsernameCursorPagination(CodeCursorPagination):
    ordering = "username"


class NewestCursorPagination(CodeCursorPagination):
    """An inbox: newest first (the index notification_inbox)."""

    ordering = ("-at", "-id")
