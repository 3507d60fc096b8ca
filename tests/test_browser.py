"""The generated site in a real browser (Debian's chromium, headless, driven by Playwright).

Every ld+json script is read and JSON.parse'd in the page and compared with lod.web.jsonld;
extruct reads the same pages; hostile names round-trip exactly and no injected script runs.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import extruct
import pytest

import lod
from lod import web
from lod.html import PAGE_KINDS, SiteWriter, write_site

CHROMIUM = os.environ.get("LOD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
ARTEFACTS = Path(os.environ.get("LOD_TEST_ARTEFACTS", Path(__file__).resolve().parent.parent / "test-artefacts"))
READ = """() => Array.from(document.querySelectorAll('script[type="application/ld+json"]'))
                      .map(s => JSON.parse(s.textContent))"""

HOSTILE_NAME = "</script><script>window.__pwned = 1; alert(1)</script>"
HOSTILE_TITLE = "Madina <!-- not a comment --> \u2028line\u2029para &amp; &lt;b&gt; \"quoted\""


@pytest.fixture(scope="module")
def hostile() -> lod.Catalogue:
    return lod.Catalogue(
        people=[{"id": "x", "names": {"en": HOSTILE_NAME}}],
        films=[{"id": "h", "titles": {"en": HOSTILE_TITLE}, "directors": ["x"], "cast": [{"person": "x",
                "character": "<img src=x onerror=window.__pwned=2>"}]}])


def _serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None  # type: ignore[assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def served(tmp_path_factory, seed, hostile):
    root = tmp_path_factory.mktemp("www")
    write_site(seed, root / "seed")
    write_site(hostile, root / "hostile")
    server = _serve(root)
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Debian's chromium is needed for the browser tests ({CHROMIUM}); .ci/run installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def _expected(cat: lod.Catalogue, rel: str):
    if rel == "index.html":
        return [web.carousel(cat.films, cat)]
    kind, name = rel.split("/")
    return [web.jsonld(name.removesuffix(".html"), cat)]


def test_every_page_parses_in_the_browser_to_what_lod_returned(served, browser, seed):
    base, _ = served
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    rels = sorted(rel for rel in SiteWriter(seed).pages() if rel.endswith(".html"))
    assert len(rels) > 20
    for rel in rels:
        response = page.goto(f"{base}/seed/{rel}")
        assert response is not None and response.ok, rel
        assert page.evaluate(READ) == _expected(seed, rel), rel
    assert errors == []
    page.close()


def test_screenshot_of_a_film_page(served, browser):
    base, _ = served
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTEFACTS / "film-madina.png"
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    page.goto(f"{base}/seed/film/madina.html")
    assert page.locator("h1").inner_text() == "Madina"
    page.screenshot(path=str(target), full_page=False)
    page.close()
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_extruct_reads_the_same_json_ld(served, seed):
    _, root = served
    for kind in PAGE_KINDS:
        for path in sorted((root / "seed" / kind).glob("*.html"))[:3]:
            found = extruct.extract(path.read_text(encoding="utf-8"), syntaxes=["json-ld"], uniform=False)["json-ld"]
            assert found == _expected(seed, f"{kind}/{path.name}"), path


def test_hostile_content_round_trips_and_no_script_runs(served, browser, hostile):
    base, _ = served
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for rel in ("film/h.html", "person/x.html", "index.html"):
        page.goto(f"{base}/hostile/{rel}")
        assert page.evaluate(READ) == _expected(hostile, rel), rel
        assert page.evaluate("() => window.__pwned") is None
    page.goto(f"{base}/hostile/film/h.html")
    assert page.evaluate("() => document.querySelector('h1').textContent") == HOSTILE_TITLE  # shown as text
    assert page.evaluate("() => document.querySelectorAll('script').length") == 1  # only the ld+json one
    assert dialogs == []
    page.close()


@pytest.fixture(scope="module")
def full_site(tmp_path_factory):
    """The full catalogue of test_web as a site, its poster a PNG served from the same loopback server."""
    from PIL import Image

    from test_web import full_catalogue

    root = tmp_path_factory.mktemp("full")
    server = _serve(root)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    Image.new("RGB", (300, 450), (200, 30, 40)).save(root / "poster.png")  # a red poster, easy to find
    write_site(full_catalogue(poster=f"{base}/poster.png"), root / "site")
    yield base
    server.shutdown()


def _colours(png: bytes, box: tuple[int, int, int, int] | None = None) -> set:
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    part = image.crop(box) if box else image
    return {part.getpixel((x, y)) for x in range(part.width) for y in range(part.height)}


def test_the_film_page_is_styled_shows_its_poster_and_is_not_blank(full_site, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 1000})
    page.goto(f"{full_site}/site/film/f.html")
    page.wait_for_load_state("load")
    poster = page.locator("figure.poster img")
    assert poster.evaluate("img => img.complete && img.naturalWidth") == 300  # the poster loaded
    box = poster.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 150
    assert page.evaluate("() => getComputedStyle(document.body).maxWidth") == "768px"  # style.css applied
    assert page.evaluate("() => document.styleSheets.length") == 1
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = page.screenshot(path=str(ARTEFACTS / "film-full.png"))
    page.close()
    centre = (int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2))
    assert _colours(shot, (*centre, centre[0] + 1, centre[1] + 1)) == {(200, 30, 40)}  # the poster is on screen
    text_area = (0, 0, int(box["x"]) - 10, 1000)  # left of the poster: the title and the facts
    assert len(_colours(shot, text_area)) > 20  # text was drawn (anti-aliased glyphs): not a blank page


def test_pages_work_without_javascript(full_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{full_site}/site/film/f.html")
    assert page.locator("h1").inner_text() == "Madina"
    facts = page.locator("dl").inner_text()
    assert "World premiere" in facts and "Nominations" in facts and "93 min" in facts
    page.locator("nav a").click()  # plain links: the index, then a person
    page.locator("a", has_text="Aizhan Kassymbek").click()
    assert page.locator("h1").inner_text() == "Aizhan Kassymbek"
    assert "Best Director" in page.locator("dl").inner_text()
    context.close()
