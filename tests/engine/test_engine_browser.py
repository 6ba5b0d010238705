"""The built HTML site in a real browser: Debian chromium driven by Playwright, served locally."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from test_engine_build import CHAPTERS, PAGES, XREFS

from browser_support import PageProblems, launched_chromium, offline_context, served_folder

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="session")
def site_url(built_book):
    """Serve the built site on a free localhost port for the whole session."""
    with served_folder(built_book.out) as url:
        yield url


@pytest.fixture(scope="module")
def browser(site_url):
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def context(browser, site_url):
    # Anything not served from localhost is blocked: the site must work offline.
    ctx = offline_context(browser, site_url, 1280)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context, site_url):
    page = context.new_page()
    page.problems = PageProblems(page, site_url)
    return page


def path_of(url: str, site_url: str) -> str:
    return urlsplit(url).path.removeprefix(urlsplit(site_url).path)


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_without_errors_and_offline(page, site_url, page_path):
    response = page.goto(site_url + page_path, wait_until="load")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.problems.errors == []
    assert page.problems.external_requests() == []
    # The stylesheet really applied (served, parsed): the layout is a grid at desktop width.
    assert page.evaluate("getComputedStyle(document.querySelector('.layout')).display") == "grid"


@pytest.mark.parametrize("page_path", PAGES)
def test_sidebar_lists_every_chapter_with_numbers(page, site_url, page_path):
    page.goto(site_url + page_path)
    links = page.locator("#sidebar li.chapter a")
    assert links.count() == len(CHAPTERS)
    for i, (_target, number, title, _) in enumerate(CHAPTERS):
        link = links.nth(i)
        assert link.is_visible()
        assert " ".join(link.inner_text().split()) == (f"{number} {title}" if number else title)


XREF_CLICKS = [
    pytest.param(
        source, i, text, target, fragment, id=f"{source.split('/')[-1]}-{text.replace(' ', '')}-{i}"
    )
    for source, refs in XREFS.items()
    for i, (text, target, fragment) in enumerate(refs)
]


@pytest.mark.parametrize("source, position, text, target, fragment", XREF_CLICKS)
def test_cross_reference_click_navigates_to_visible_target(
    page, site_url, source, position, text, target, fragment
):
    from playwright.sync_api import expect

    page.goto(site_url + source)
    link = page.locator("main a.quarto-xref").nth(position)
    assert " ".join(link.inner_text().split()) == text
    link.click()
    page.wait_for_load_state("load")
    assert path_of(page.url, site_url) == target
    assert (urlsplit(page.url).fragment or None) == fragment
    if fragment:
        element = page.locator(f"[id='{fragment}']")
        expect(element).to_have_count(1)
        expect(element).to_be_visible()
        expect(element).to_be_in_viewport()
    else:
        expect(page.locator("main h1").last).to_be_visible()
    assert page.problems.errors == []


@pytest.mark.parametrize(
    "page_path", sorted({p.values[1] for p in __import__("test_engine_build").FIGURES})
)
def test_images_load_and_have_alt_text(page, site_url, page_path):
    page.goto(site_url + page_path, wait_until="load")
    images = page.evaluate("""() => Array.from(document.querySelectorAll('main img')).map(img => ({
        src: img.currentSrc, alt: img.getAttribute('alt'), complete: img.complete,
        width: img.naturalWidth, shown: img.getBoundingClientRect().width}))""")
    assert images, f"no images on {page_path}"
    for image in images:
        assert image["alt"] and image["alt"].strip(), image
        assert image["complete"] and image["width"] > 0, image
        assert image["shown"] > 0, image
    assert page.problems.errors == []


def test_next_and_previous_links_walk_the_whole_book(page, site_url):
    page.goto(site_url + PAGES[0])
    for expected in PAGES[1:]:
        page.locator("a[rel=next]").click()
        page.wait_for_load_state("load")
        assert path_of(page.url, site_url) == expected
    assert page.locator("a[rel=next]").count() == 0
    for expected in reversed(PAGES[:-1]):
        page.locator("a[rel=prev]").click()
        page.wait_for_load_state("load")
        assert path_of(page.url, site_url) == expected
    assert page.locator("a[rel=prev]").count() == 0
    assert page.problems.errors == []


def test_narrow_viewport_sidebar_toggle_shows_chapter_list(page, site_url):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + "chapters/soil.html")
    toggle = page.locator(".sidebar-toggle")
    chapter_links = page.locator("#sidebar li.chapter a")
    expect(toggle).to_be_visible()
    expect(chapter_links.first).to_be_hidden()  # collapsed on a phone
    # The text column uses the narrow width instead of overflowing it.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for i in range(len(CHAPTERS)):
        expect(chapter_links.nth(i)).to_be_visible()
    chapter_links.nth(1).click()  # and the revealed list works
    page.wait_for_load_state("load")
    assert path_of(page.url, site_url) == CHAPTERS[1][0]
    toggle_again = page.locator(".sidebar-toggle")
    expect(page.locator("#sidebar li.chapter a").first).to_be_hidden()
    toggle_again.click()
    toggle_again.click()
    expect(page.locator("#sidebar li.chapter a").first).to_be_hidden()
    assert page.problems.errors == []


def test_desktop_viewport_shows_sidebar_without_toggle(page, site_url):
    from playwright.sync_api import expect

    page.goto(site_url + "index.html")
    expect(page.locator(".sidebar-toggle")).to_be_hidden()
    expect(page.locator("#sidebar li.chapter a").first).to_be_visible()
