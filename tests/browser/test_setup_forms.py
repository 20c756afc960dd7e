"""The facilitator's set-up forms in Chromium: the tables a click makes on the groups
page, and the invite field on the workshop page at a laptop's size and a phone's."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from discussions.models import Discussion, Group
from tests.browser.conftest import PHONE, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1440, "height": 900}
NARROW = {"width": 320, "height": 640}
SIZES = {"1440": DESKTOP, "390": PHONE, "320": NARROW}


def translated(language, text):
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_one_click_completes_the_room_of_an_earlier_round(live_server, phone, site, language):
    base = live_server.url
    # Round 1 had Bord 1-6; round 2 (site.discussion) has Bord 1-2 so far.
    earlier = Discussion.objects.create(
        workshop=site.workshop,
        title="Förmiddagen",
        recommendation_set=site.discussion.recommendation_set,
    )
    for i in range(1, 7):
        Group.objects.create(discussion=earlier, name=f"Bord {i}", position=i)
    page = phone(viewport=DESKTOP)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    log_in(page, base)
    page.goto(f"{base}/f/d/{site.discussion.pk}/groups/")
    count = page.get_by_label(translated(language, "Antal nya bord"))
    expect(count).to_have_value("4")
    remove = page.get_by_role("button", name=f"{translated(language, 'Ta bort')} Bord 1")
    for name, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"setup-groups-{language}-{name}")
        # The tables' list fits: no button broken letter by letter, nothing off the side.
        assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
        box = remove.bounding_box()
        assert box["x"] + box["width"] <= viewport["width"], (viewport, box)
        assert box["height"] < 80, box
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name=translated(language, "Skapa bord")).click()
    expect(page.locator(".groups-table tbody tr")).to_have_count(6)
    names = list(site.discussion.groups.order_by("position").values_list("name", flat=True))
    assert names == [f"Bord {i}" for i in range(1, 7)]
    # The room is complete: nothing to click by mistake.
    expect(count).to_have_value("")


def test_the_invite_field_at_every_size(live_server, phone, site):
    base = live_server.url
    page = phone(viewport=DESKTOP)
    log_in(page, base)
    page.goto(f"{base}/f/w/{site.workshop.pk}/")
    form = page.locator("form[action$='/invite/']")
    field = form.get_by_label("Användarnamn")
    button = form.get_by_role("button", name="Bjud in")
    for name, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"setup-workshop-{name}")
        _check_invite(page, field, button, viewport)

    # A name nobody has: the same answer as for an account's (tests/test_lockout.py).
    page.set_viewport_size(DESKTOP)
    field.fill("ingen-sadan")
    button.click()
    expect(page.get_by_role("status")).to_contain_text("Om det finns ett konto")
    # No name: the reason under the field, the button still beside it.
    button.click()
    expect(form.locator(".errorlist")).to_be_visible()
    expect(field).to_have_value("")
    for name, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"setup-workshop-error-{name}")
        _check_invite(page, field, button, viewport)


def _check_invite(page, field, button, viewport):
    """The field wide enough to read a name in, its button beside it (or under it on
    a narrow screen), the two the same height, nothing wider than the screen."""
    f, b = field.bounding_box(), button.bounding_box()
    assert f["width"] >= min(200, viewport["width"] - 80), f
    assert abs(f["height"] - b["height"]) <= 2, (f, b)
    beside = abs(f["y"] - b["y"]) <= 2 and b["x"] >= f["x"] + f["width"]
    below = b["y"] >= f["y"] + f["height"]
    assert beside or below, (f, b)
    if viewport["width"] >= 390:
        assert beside, (viewport, f, b)
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
