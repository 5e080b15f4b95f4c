"""Pages under the rankings' menu entry name themselves (issue 22 point 15): the 批示 and appeal pages said
"考核排名"."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/assessment/rankings/", "考核排名"),
        ("/assessment/review/", "申诉审核"),
        ("/assessment/instructions/", "批示"),
        ("/assessment/rules/", "考核规则"),
    ],
)
def test_each_page_under_the_rankings_has_its_own_title(supervisor, url, title):
    client = Client()
    client.force_login(supervisor)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'<h1 class="h3" id="page-title">{title}</h1>' in html
    assert f"<title>{title} ·" in html
