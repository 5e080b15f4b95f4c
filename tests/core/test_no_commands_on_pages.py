"""No page tells its reader to run a shell command (issue 22, point 6): what a command does, the platform
does by itself (nightly, at start-up, or when a page needs it), or a button does it. Every menu page of
every role is read on an empty platform — where the empty states give their hints — in both languages."""

import re

import pytest
from django.core.management import get_commands
from django.test import Client
from django.urls import reverse

from hotline.core.navigation import ROLE_NAVIGATION
from tests.conftest import CENTER_CODE, STREET_A, unit
from tests.factories import UserFactory

# Our own commands whose names are not also plain words of the interface.
OURS = sorted(
    name
    for name, app in get_commands().items()
    if not app.startswith("django")
    and app.split(".")[0]
    in {"assessment", "demo", "dispatch", "governance", "hotline", "intake", "knowledge_base", "reports"}
    and name not in {"consequences", "bootstrap"}
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_menu_page_shows_a_command(reference, language):
    assert "scoremonth" in OURS and "trainclassifier" in OURS  # the list is what it should be
    for role, items in ROLE_NAVIGATION.items():
        home = unit(STREET_A) if role in ("handler", "unit_leader") else unit(CENTER_CODE)
        user = UserFactory(username=f"t_cmd_{role}_{language}", role=role, unit=home, is_superuser=role == "admin")
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        for item in items:
            response = client.get(reverse(item.url_name))
            assert response.status_code == 200, (role, item.url_name)
            text = visible_text(response.content.decode())
            shown = [name for name in OURS if re.search(rf"\b{name}\b", text)] + (
                ["manage.py"] if "manage.py" in text else []
            )
            assert not shown, f"{role} {item.url_name} shows {shown}"
