"""The rankings page (issue 22, point 9): ranked units first, by rank, a page at a time; the units the
month could not rank in their own section, grouped by district; the three rates named in English too."""

from django.test import Client

from assessment.models import Snapshot
from tests.assessment.test_scoring import probe  # noqa: F401 - the fixture: a scored October


def page(user, **params) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=params.pop("language", "zh-hans"))
    client.force_login(user)
    return client.get("/assessment/rankings/", {"period": "2026-10", **params}).content.decode()


def test_ranked_units_come_first_and_unranked_ones_have_their_own_section(probe, leader):  # noqa: F811
    snapshot = Snapshot.objects.get(pk=probe.pk)
    ranked = list(snapshot.units.filter(level="street", rank__isnull=False).order_by("rank", "unit__code"))
    unranked = list(snapshot.units.filter(level="street", rank__isnull=True))
    assert ranked and unranked
    html = page(leader)
    main = html[html.index('id="rankings"') : html.index('id="unranked"')]
    assert all(f'data-unit="{r.unit.code}"' not in main for r in unranked)
    positions = [main.index(f'data-unit="{r.unit.code}"') for r in ranked]
    assert positions == sorted(positions)  # by rank
    section = html[html.index('id="unranked"') :]
    assert all(f'data-unit="{r.unit.code}"' in section for r in unranked)


def test_the_ranked_list_is_paginated(probe, leader, monkeypatch):  # noqa: F811
    from assessment import views

    monkeypatch.setattr(views, "RANKING_PAGE", 1)
    first, second = page(leader), page(leader, page=2)
    snapshot = Snapshot.objects.get(pk=probe.pk)
    top = snapshot.units.filter(level="street", rank__isnull=False).order_by("rank", "-score", "unit__code")[:2]
    main_first = first[first.index('id="rankings"') : first.index("</table>", first.index('id="rankings"'))]
    main_second = second[second.index('id="rankings"') : second.index("</table>", second.index('id="rankings"'))]
    assert f'data-unit="{top[0].unit.code}"' in main_first and f'data-unit="{top[1].unit.code}"' not in main_first
    assert f'data-unit="{top[1].unit.code}"' in main_second


def test_the_three_rates_are_named_in_english(probe, leader):  # noqa: F811
    html = page(leader, language="en")
    assert "Response rate" in html and "Resolution rate" in html and "Satisfaction rate" in html
    assert "响应率" not in html
