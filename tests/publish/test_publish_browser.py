"""Issue 12: the published HTML edition of the real report in a real browser (Debian chromium,
Playwright): every page at phone to desktop widths, axe-core, search, links, print, keyboard.

The book is built once per session (book_fixtures.main_book); each width gets one browser
context. Screenshots of the home page, chapter 2 and the Facts page at 390 and 1,280 px go to
`.screenshots/` at the repository root (git-ignored); the path is printed.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from book_fixtures import ROOT, book_chapters
from browser_support import (
    IN_CI,
    PageProblems,
    launched_chromium,
    offline_context,
    served_folder,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE_VERSION = "4.14.1"  # npm axe-core, pinned; installed by axe_script() into a git-ignored folder
AXE_DIR = ROOT / ".cache" / "npm"
SCREENSHOTS = ROOT / ".screenshots"
WIDTHS = [320, 390, 768, 1280]
CHAPTERS = book_chapters()
PAGES = [posixpath.splitext(c.path)[0] + ".html" for c in CHAPTERS] + ["facts.html"]
CHAPTER_2 = next(p for p, c in zip(PAGES, CHAPTERS) if c.number == "2")
CHAPTER_4 = next(p for p, c in zip(PAGES, CHAPTERS) if c.number == "4")
# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices: "no violation at any impact".
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="module")
def site_url(book):
    with served_folder(book.out) as url:
        yield url


@pytest.fixture(scope="module")
def axe_script() -> str:
    """axe-core's source, installed with npm (pinned version) on first use."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    installed = AXE_DIR / "node_modules" / "axe-core" / "package.json"
    if not (script.exists() and f'"version": "{AXE_VERSION}"' in installed.read_text()):
        npm = shutil.which("npm")
        if npm is None:
            reason = "the accessibility tests need npm to install axe-core"
            if IN_CI:
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason)
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(AXE_DIR),
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser(site_url):
    with launched_chromium() as chromium:
        yield chromium


def new_page(browser, site_url: str, width: int, height: int = 900):
    """A page in a fresh context of the given width; requests off the site are blocked."""
    context = offline_context(browser, site_url, width, height)
    page = context.new_page()
    page.problems = PageProblems(page, site_url)
    return context, page


@pytest.fixture(scope="module")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    return SCREENSHOTS


def run_axe(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""",
        AXE_TAGS,
    )


# --------------------------------------------------------------------------- every page, every width
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_width_and_passes_axe(browser, site_url, axe_script, width):
    context, page = new_page(browser, site_url, width)
    try:
        problems = {}
        for path in PAGES:
            response = page.goto(site_url + path, wait_until="load")
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            violations = run_axe(page, axe_script)
            if overflow > 0 or violations:
                problems[path] = {"overflow_px": overflow, "axe": violations}
        assert problems == {}
        assert page.problems.errors == []
        assert page.problems.external_requests() == []
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(browser, site_url, screenshot_dir, width):
    context, page = new_page(browser, site_url, width)
    try:
        for name, path in (
            ("home", "index.html"),
            ("chapter-2", CHAPTER_2),
            ("facts", "facts.html"),
        ):
            page.goto(site_url + path, wait_until="networkidle")
            target = screenshot_dir / f"{name}-{width}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
    finally:
        context.close()


# --------------------------------------------------------------------------- links
def test_every_internal_link_and_anchor_resolves(book):
    from bs4 import BeautifulSoup

    ids: dict[str, set[str]] = {}

    def ids_of(page: str) -> set[str]:
        if page not in ids:
            soup = BeautifulSoup((book.out / page).read_text(encoding="utf-8"), "html.parser")
            ids[page] = {e["id"] for e in soup.find_all(id=True)}
        return ids[page]

    broken = []
    for path in [*PAGES]:
        soup = BeautifulSoup((book.out / path).read_text(encoding="utf-8"), "html.parser")
        for element in soup.find_all(["a", "link", "img", "script"]):
            url = element.get("href") or element.get("src")
            if not url or url.startswith(("http://", "https://", "mailto:")):
                continue
            parts = urlsplit(url)
            target = (
                posixpath.normpath(posixpath.join(posixpath.dirname(path), parts.path))
                if parts.path
                else path
            )
            if not (book.out / target).is_file():
                broken.append(f"{path}: {url} (no file {target})")
            elif (
                parts.fragment and target.endswith(".html") and parts.fragment not in ids_of(target)
            ):
                broken.append(f"{path}: {url} (no id {parts.fragment} in {target})")
    assert broken == []


# --------------------------------------------------------------------------- search
def _chapter_4_phrase(book) -> str:
    """Three words in a row from chapter 4's prose, one of which no other page uses (not even
    as the start of a longer word: Pagefind matches prefixes and stems)."""
    from bs4 import BeautifulSoup

    def words(page: str) -> list[str]:
        soup = BeautifulSoup((book.out / page).read_text(encoding="utf-8"), "html.parser")
        return re.findall(r"[a-z]+", soup.find("main").get_text(" ").lower())

    elsewhere = {w for p in PAGES if p != CHAPTER_4 for w in words(p)}
    soup = BeautifulSoup((book.out / CHAPTER_4).read_text(encoding="utf-8"), "html.parser")
    for paragraph in soup.find("main").find_all("p"):
        tokens = paragraph.get_text(" ").split()
        for i in range(len(tokens) - 2):
            window = tokens[i : i + 3]
            if not all(re.fullmatch(r"[A-Za-z]{3,}", w) for w in window):
                continue
            if any(
                len(w) >= 6 and not any(o.startswith(w.lower()[:6]) for o in elsewhere)
                for w in window
            ):
                return " ".join(window)
    raise AssertionError("chapter 4 has no words of its own")


def test_search_finds_a_phrase_from_chapter_4_and_opens_it(browser, site_url, book):
    from playwright.sync_api import expect

    phrase = _chapter_4_phrase(book)
    context, page = new_page(browser, site_url, 1280)
    try:
        page.goto(site_url + "index.html", wait_until="networkidle")
        box = page.get_by_role("textbox", name="Search this book")
        expect(box).to_be_visible()
        box.fill(phrase)
        first = page.locator(".pagefind-ui__result-link").first
        expect(first).to_be_visible(timeout=15_000)
        # Chapter 4 is found (Pagefind's stemming may also match a neighbour), and opens.
        hrefs = page.locator(".pagefind-ui__result-link").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        paths = [urlsplit(h).path for h in hrefs]
        assert "/" + CHAPTER_4 in paths, hrefs
        page.locator(".pagefind-ui__result-link").nth(paths.index("/" + CHAPTER_4)).click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path.endswith(CHAPTER_4)
        body = " ".join(page.locator("main").inner_text().split())
        assert phrase in body
        assert page.problems.errors == []
        assert page.problems.external_requests() == []
    finally:
        context.close()


def test_search_box_on_every_page(book):
    for path in PAGES:
        html = (book.out / path).read_text(encoding="utf-8")
        assert 'id="search"' in html and "pagefind/pagefind-ui.js" in html, path
    assert (book.out / "pagefind" / "pagefind-entry.json").is_file()


# --------------------------------------------------------------------------- layout details
def test_in_page_contents_below_1100_px_and_beside_the_text_above(browser, site_url):
    from playwright.sync_api import expect

    for width, inline_shown in ((768, True), (1280, False)):
        context, page = new_page(browser, site_url, width)
        try:
            page.goto(site_url + CHAPTER_2, wait_until="load")
            inline = page.locator("details.page-toc-inline")
            side = page.locator("nav.page-toc")
            if inline_shown:
                expect(inline).to_be_visible()
                expect(side).to_be_hidden()
                inline.locator("summary").click()
                link = inline.locator("a").nth(1)
                expect(link).to_be_visible()
                link.click()
                fragment = urlsplit(page.url).fragment
                expect(page.locator(f"[id='{fragment}']")).to_be_in_viewport()
            else:
                expect(inline).to_be_hidden()
                expect(side).to_be_visible()
        finally:
            context.close()


def test_heading_anchors_and_back_to_top(browser, site_url):
    from playwright.sync_api import expect

    context, page = new_page(browser, site_url, 1280)
    try:
        page.goto(site_url + CHAPTER_2, wait_until="load")
        headings = page.locator("main h2[id], main h3[id]")
        assert headings.count() >= 3
        for i in range(headings.count()):
            heading = headings.nth(i)
            anchor = heading.locator("a.anchor")
            assert anchor.get_attribute("href") == "#" + heading.get_attribute("id")
            assert anchor.get_attribute("aria-label")
        back = page.locator(".back-to-top a")
        back.scroll_into_view_if_needed()
        back.click()
        expect(page.locator("main h1").first).to_be_in_viewport()
        assert page.evaluate("window.scrollY") == 0
    finally:
        context.close()


def test_wide_tables_scroll_in_labelled_focusable_regions(browser, site_url):
    context, page = new_page(browser, site_url, 390)
    try:
        page.goto(site_url + CHAPTER_2, wait_until="load")
        regions = page.evaluate("""() => Array.from(document.querySelectorAll('main table'))
            .map(t => { const r = t.closest('.table-scroll');
                return r && {role: r.getAttribute('role'), tabindex: r.getAttribute('tabindex'),
                    label: r.getAttribute('aria-label') || r.getAttribute('aria-labelledby'),
                    scrolls: r.scrollWidth > r.clientWidth,
                    overflowX: getComputedStyle(r).overflowX}; })""")
        assert regions and all(regions), regions
        assert any(r["scrolls"] for r in regions)  # Table 2.2 is wider than a phone
        for region in regions:
            assert region["role"] == "region" and region["tabindex"] == "0" and region["label"]
            assert region["overflowX"] == "auto"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_number_links_take_one_tab_stop_per_paragraph(browser, site_url):
    context, page = new_page(browser, site_url, 1280)
    try:
        page.goto(site_url + CHAPTER_2, wait_until="load")
        counts = page.evaluate("""() => {
            const links = Array.from(document.querySelectorAll('main a.fact'));
            const blockOf = a => a.closest('p, li, td, dd, figcaption');
            const blocks = new Set(links.map(blockOf));
            return {links: links.length, blocks: blocks.size,
                    orphans: links.filter(a => !blockOf(a)).length,
                    captions: links.filter(a => a.closest('figcaption')).length,
                    tabbable: links.filter(a => a.tabIndex >= 0).length,
                    titles: links.map(a => a.title)}; }""")
        assert counts["links"] > counts["blocks"]  # paragraphs hold several numbers each
        assert counts["orphans"] == 0 and counts["captions"] > 0  # captions hold values too
        assert counts["tabbable"] == counts["blocks"]
        # The tooltip explains the link; it does not show the internal fact id.
        for title, fact_id in zip(
            counts["titles"],
            page.locator("main a.fact").evaluate_all("els => els.map(a => a.dataset.fact)"),
        ):
            assert fact_id not in title
        # Arrow keys walk the numbers of a paragraph.
        first = page.locator("main p:has(a.fact:nth-of-type(2)) a.fact").first
        first.focus()
        page.keyboard.press("ArrowRight")
        focused = page.evaluate("document.activeElement.dataset.fact")
        second = page.locator("main p:has(a.fact:nth-of-type(2)) a.fact").nth(1)
        assert focused == second.get_attribute("data-fact")
    finally:
        context.close()


def test_facts_page_target_row_is_highlighted_and_names_chapters(browser, site_url, book):
    context, page = new_page(browser, site_url, 390)
    try:
        page.goto(site_url + CHAPTER_2, wait_until="load")
        link = page.locator("main a.fact").first
        fact_id = link.get_attribute("data-fact")
        link.click()
        page.wait_for_load_state("load")
        row = page.locator(f"tr[id='fact-{fact_id}']")
        other = page.locator("table.facts tbody tr:not(:target)").first
        assert row.evaluate("r => getComputedStyle(r).backgroundColor") != other.evaluate(
            "r => getComputedStyle(r).backgroundColor"
        )

        def plain(text: str) -> str:  # sources type straight quotes; pages show curly ones
            return text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')

        titles = {plain(c.title) for c in CHAPTERS}
        used = page.locator("table.facts td[data-label='Used in'] a").all_inner_texts()
        assert used
        for text in map(plain, used):  # "2 China's economic presence ...", not a file name
            assert text in titles or re.sub(r"^[0-9A-Z]+ ", "", text) in titles, text
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_print_stylesheet_hides_navigation(browser, site_url):
    context, page = new_page(browser, site_url, 1280)
    try:
        page.goto(site_url + CHAPTER_2, wait_until="load")
        page.emulate_media(media="print")
        for selector in (
            "#sidebar",
            ".page-toc",
            ".page-navigation",
            ".site-header",
            "#search",
            ".back-to-top",
        ):
            assert page.locator(selector).first.is_hidden(), selector
        assert page.locator("main h1").first.is_visible()
        # Tables are not cut: their regions no longer scroll.
        assert set(
            page.locator(".table-scroll").evaluate_all(
                "els => els.map(e => getComputedStyle(e).overflowX)"
            )
        ) == {"visible"}
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()


def test_charts_open_full_size(browser, site_url):
    context, page = new_page(browser, site_url, 390)
    try:
        page.goto(site_url + CHAPTER_2, wait_until="load")
        link = page.locator("figure a.enlarge").first
        href = link.get_attribute("href")
        assert href.endswith(".svg") and link.locator("img").get_attribute("alt")
        link.click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path.endswith(href.split("/")[-1])
    finally:
        context.close()
