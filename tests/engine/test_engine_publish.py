"""Issue 12, engine side: what a published site needs beside its pages (page metadata, canonical
links and sitemap with a site-url, favicon, robots.txt, citation, search index), on the fixture
book built by the real engine."""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET

import pytest
import yaml
from test_engine_build import PAGES

from helpers import copy_book, quiet

pytestmark = pytest.mark.slow
SITE_URL = "https://books.example.org/gardens/"


@pytest.fixture(scope="module")
def with_site_url(tmp_path_factory):
    """The fixture book with Quarto's book.site-url, description, license and citation set."""
    from helpers import RenderedBook
    from litbuild.build import build

    project = copy_book(tmp_path_factory.mktemp("published") / "book")
    config_file = project / "_quarto.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["book"]["site-url"] = SITE_URL.rstrip("/")
    config["book"]["description"] = "A garden book used to test publishing."
    config["license"] = "CC BY 4.0"
    config["citation"] = {"type": "book", "publisher": "Garden Press"}
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    build(project, to="html", engine="builtin", progress=quiet)
    return RenderedBook(project, project / "_garden_book")


def meta(soup, key: str) -> str | None:
    tag = soup.find("meta", attrs={"name": key}) or soup.find("meta", attrs={"property": key})
    return tag["content"] if tag else None


@pytest.mark.parametrize("page", PAGES)
def test_canonical_and_social_metadata_with_site_url(with_site_url, page):
    soup = with_site_url.html(page)
    assert soup.find("link", rel="canonical")["href"] == SITE_URL + page
    assert meta(soup, "og:url") == SITE_URL + page
    assert meta(soup, "og:title") == soup.title.get_text()
    description = meta(soup, "description")
    assert description and description == meta(soup, "og:description")
    assert len(description) <= 201
    image = meta(soup, "og:image")
    if soup.select("main figure img"):  # a page with a figure previews it (PNG when there is one)
        assert image.startswith(SITE_URL) and image.endswith((".png", ".svg"))
        assert (with_site_url.out / image.removeprefix(SITE_URL)).is_file()
        assert meta(soup, "twitter:card") == "summary_large_image"
    else:
        assert image is None and meta(soup, "twitter:card") == "summary"


def test_index_description_is_the_books(with_site_url):
    assert (
        meta(with_site_url.html("index.html"), "description")
        == "A garden book used to test publishing."
    )


def test_sitemap_lists_every_page_and_robots_names_it(with_site_url):
    root = ET.fromstring((with_site_url.out / "sitemap.xml").read_text(encoding="utf-8"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert set(PAGES) <= {loc.removeprefix(SITE_URL) for loc in locations}
    robots = (with_site_url.out / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots and f"Sitemap: {SITE_URL}sitemap.xml" in robots


def test_without_site_url_no_canonical_and_no_sitemap(built_book):
    for page in PAGES:
        soup = built_book.html(page)
        assert soup.find("link", rel="canonical") is None
        assert meta(soup, "description")
    assert not (built_book.out / "sitemap.xml").exists()
    assert "Sitemap:" not in (built_book.out / "robots.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_favicon_and_stylesheets_resolve(built_book, page):
    soup = built_book.html(page)
    icon = soup.find("link", rel="icon")["href"]
    assert (
        built_book.out / posixpath.normpath(posixpath.join(posixpath.dirname(page), icon))
    ).is_file()
    assert soup.html["lang"] == "en"


def test_citation_on_the_home_page_and_as_files(with_site_url):
    section = with_site_url.html("index.html").find(id="how-to-cite")
    text = " ".join(section.get_text(" ").split())
    for expected in (
        "How to cite this edition",
        "Ada Gardener, Ben Planter (2024-05-01)",
        "Fixture Book of Gardens",
        "Garden Press",
        SITE_URL,
        "CC BY 4.0",
        "Version",
        "unversioned",
    ):
        assert expected in text, expected
    csl = json.loads((with_site_url.out / "citation.json").read_text(encoding="utf-8"))
    assert len(csl) == 1
    entry = csl[0]
    assert entry["type"] == "book" and entry["title"] == "Fixture Book of Gardens"
    assert [a["literal"] for a in entry["author"]] == ["Ada Gardener", "Ben Planter"]
    assert entry["license"] == "CC BY 4.0" and entry["URL"] == SITE_URL
    assert entry["version"] == "unversioned"  # the copy is not a git repository
    bib = (with_site_url.out / "citation.bib").read_text(encoding="utf-8")
    assert bib.startswith("@report{ada2024-05-01,") or bib.startswith("@report{")
    assert "Fixture Book of Gardens" in bib and "CC BY 4.0" in bib


def test_citation_version_is_the_git_commit(tmp_path):
    import subprocess

    from helpers import write_project
    from litbuild.build import build

    project = write_project(
        tmp_path / "book",
        {
            "_quarto.yml": """
            project:
              type: book
            book:
              title: Versioned
              author: Someone
              date: "2030"
              chapters: [index.qmd]
            license: CC0
            """,
            "index.qmd": "# Preface\n\nNo code here.\n",
        },
    )
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    build(project, to="html", engine="builtin", progress=quiet)
    entry = json.loads((project / "_book" / "citation.json").read_text(encoding="utf-8"))[0]
    assert entry["version"] == commit[:12]
    assert commit in entry["note"]
    page = (project / "_book" / "index.html").read_text(encoding="utf-8")
    assert commit in page and "CC0" in page


def test_search_index_built_over_the_pages(built_book):
    bundle = built_book.out / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) >= len(PAGES)
    assert (bundle / "pagefind-ui.js").is_file()
