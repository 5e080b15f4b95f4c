"""The 主动治理 pages: the queue hottest first, a topic with its evidence, a supervisor's approve and a
dismissal that needs a reason and keeps what was typed."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from governance.mining import topics_mine
from governance.models import Topic
from hotline.core.models import Unit
from tests.factories import UserFactory
from tests.governance.test_mining import MIXER, SMOKE, demand


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_supervisor_works_the_queue_in_the_browser(reference, supervisor):
    now = timezone.now()
    for i, text in enumerate(MIXER + SMOKE):
        demand(text, now - dt.timedelta(days=1 + i), phone=f"1370000{i:04d}")
    topics_mine(at=now)
    mixer, smoke = Topic.objects.get(title__startswith="阳光小区"), Topic.objects.get(title__startswith="幸福家园")
    browser = client_of(supervisor)
    queue = browser.get("/governance/topics/").content.decode()
    hotter, cooler = sorted([mixer, smoke], key=lambda t: -t.heat)
    assert queue.index(hotter.title) < queue.index(cooler.title)  # hottest first

    page = browser.get(f"/governance/topics/{mixer.pk}/").content.decode()
    assert 'id="topic-trend"' in page and "阳光小区北门外搅拌站噪音扰民" in page and "approve-note" in page

    refused = browser.post(f"/governance/topics/{smoke.pk}/dismiss/", {"reason": "  "})
    assert refused.status_code == 400 and Topic.objects.get(pk=smoke.pk).status == "proposed"
    done = browser.post(f"/governance/topics/{mixer.pk}/approve/", {"note": "交街道牵头治理"})
    assert done.status_code == 302 and Topic.objects.get(pk=mixer.pk).status == "approved"
    assert list(Topic.objects.get(pk=mixer.pk).events.values_list("kind", flat=True)) == ["proposed", "approve"]
    assert 'data-step="start"' in browser.get(f"/governance/topics/{mixer.pk}/").content.decode()
    assert mixer.title not in browser.get("/governance/topics/").content.decode()  # left the queue
    assert mixer.title in browser.get("/governance/topics/?status=approved").content.decode()

    # Set to work from the page: a bad lead unit keeps what was typed; then a milestone, then done.
    typed = browser.post(f"/governance/topics/{mixer.pk}/start/", {"owner": "999999", "plan": "夜间停工"})
    assert typed.status_code == 400 and "夜间停工" in typed.content.decode() and "999999" in typed.content.decode()
    assert (
        browser.post(f"/governance/topics/{mixer.pk}/start/", {"owner": "110101001", "plan": "夜间停工"}).status_code
        == 302
    )
    due = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    assert (
        browser.post(f"/governance/topics/{mixer.pk}/milestone/", {"title": "隔音棚", "due_at": due}).status_code == 302
    )
    (milestone,) = Topic.objects.get(pk=mixer.pk).milestones.all()
    page = browser.get(f"/governance/topics/{mixer.pk}/").content.decode()
    assert "隔音棚" in page and 'data-step="finish"' in page and "东华门街道" in page
    browser.post(f"/governance/topics/{mixer.pk}/milestones/{milestone.pk}/done/")
    assert Topic.objects.get(pk=mixer.pk).milestones.get().done_at is not None

    # A dispatcher reads the queue and decides nothing.
    dispatcher = UserFactory(username="t_disp_topics", role="dispatcher", unit=Unit.objects.get(code="12345"))
    reader = client_of(dispatcher)
    assert "dismiss-reason" not in reader.get(f"/governance/topics/{smoke.pk}/").content.decode()
    assert reader.post(f"/governance/topics/{smoke.pk}/dismiss/", {"reason": "重复"}).status_code == 403
    assert Topic.objects.get(pk=smoke.pk).status == "proposed"


def test_an_empty_queue_says_what_fills_it(reference, supervisor):
    page = client_of(supervisor).get("/governance/topics/").content.decode()
    assert "每晚的挖掘会提出众多诉求指向的问题" in page  # what fills it, in words (no command: issue 22, point 6)
