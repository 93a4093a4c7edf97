"""The HTML reports of ``mlstxs reproduce --quick``, opened in a real headless browser.

Debian's Chromium (the ``chromium`` package, found on ``PATH``) driven by Playwright; no
browser is downloaded. Every figure must decode, every in-page link must land on an element,
and the page must log no console or script error. Skipped where no ``chromium`` binary is
installed; ``.ci/run`` installs it, so CI runs these tests.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner
from PIL import Image

from mlstxs.cli import cli

CHROMIUM = shutil.which("chromium")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no 'chromium' on PATH (Debian: apt-get install chromium); .ci/run installs it",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)

PAGES = ["design/report.html", "limits/limits.html"]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 30_000

IMAGES_JS = """() => Array.from(document.images).map((img) => ({
    name: img.alt || img.id || img.src.slice(0, 40),
    complete: img.complete,
    naturalWidth: img.naturalWidth,
}))"""

# every <a>/<area> whose href points into this document: the fragment, decoded, must name an
# element (HTML's rule: an id, else an <a name=...>; "#" and "#top" mean the top of the page)
ANCHORS_JS = """() => {
    const here = new URL(document.URL);
    here.hash = "";
    return Array.from(document.querySelectorAll("a[href], area[href]")).flatMap((a) => {
        const url = new URL(a.href);
        const hash = url.hash;
        url.hash = "";
        if (url.href !== here.href) return [];
        const id = decodeURIComponent(hash.slice(1));
        const named = Array.from(document.getElementsByName(id)).filter((e) => e.tagName === "A");
        return [{
            href: a.getAttribute("href"),
            text: a.textContent.trim().slice(0, 60),
            top: id === "" || id.toLowerCase() === "top",
            found: document.getElementById(id) !== null || named.length > 0,
            ids: id === "" ? 0 : document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length,
        }];
    });
}"""


@dataclass
class Opened:
    """A loaded page and what it reported while loading."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory):
    """Output directory of one small ``mlstxs reproduce --quick`` run."""
    out = tmp_path_factory.mktemp("browser") / "run"
    args = ["reproduce", "--quick", "--events", "40000", "--out", str(out)]
    args += ["--scheduler", "synchronous", "--no-progress"]
    res = CliRunner().invoke(cli, args, obj={}, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """Open a file or an HTML string in a fresh page, recording errors and requests."""
    contexts = []

    def _open(path=None, html=None) -> Opened:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        opened = Opened(page)

        def on_console(message):
            if message.type == "error":
                opened.console_errors.append(f"{message.text} @ {message.location}")

        page.on("console", on_console)
        page.on("pageerror", lambda e: opened.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: opened.failed_requests.append(r.url[:80]))
        page.on("request", lambda r: opened.requests.append(r.url))
        if html is None:
            page.goto(path.as_uri(), wait_until="load")
        else:
            page.set_content(html, wait_until="load")
        return opened

    yield _open
    for context in contexts:
        context.close()


def broken_anchors(page) -> list[str]:
    """In-page links whose fragment names no element, or an id used more than once."""
    bad = []
    for a in page.evaluate(ANCHORS_JS):
        if a["ids"] > 1:
            bad.append(f"{a['href']!r} ({a['text']!r}): {a['ids']} elements have this id")
        elif not (a["found"] or a["top"]):
            bad.append(f"{a['href']!r} ({a['text']!r}): no element with this id")
    return bad


@pytest.mark.parametrize("name", PAGES)
def test_every_figure_loads(reproduced, open_page, name):
    page = open_page(reproduced / name).page
    # lazy images load only near the viewport: bring each into view, then wait for all
    page.evaluate("() => { for (const img of document.images) img.scrollIntoView(); }")
    page.wait_for_function("() => Array.from(document.images).every((img) => img.complete)")
    images = page.evaluate(IMAGES_JS)
    assert images, f"{name} has no <img>"
    bad = [i for i in images if not (i["complete"] and i["naturalWidth"] > 0)]
    assert not bad, f"{len(bad)} of {len(images)} images in {name} did not load: {bad}"


@pytest.mark.parametrize("name", PAGES)
def test_every_in_page_link_lands_on_an_element(reproduced, open_page, name):
    page = open_page(reproduced / name).page
    toc = page.eval_on_selector_all('a[href^="#"]', "els => els.map(e => e.getAttribute('href'))")
    bad = broken_anchors(page)
    assert not bad, f"{name}: {len(bad)} of {len(toc)} '#' links are broken: {bad}"


def test_anchor_check_finds_a_missing_or_ambiguous_target(open_page):
    """The check above has no links to follow until the reports get a table of contents."""
    html = """<h2 id="a">A</h2><h2 id="d">D</h2><p id="d">D</p><a name="n"></a>
    <a href="#a">ok</a> <a href="#n">named</a> <a href="#">top</a> <a href="#gone">gone</a>
    <a href="#d">twice</a> <a href="https://example.org/#gone">elsewhere</a>"""
    bad = broken_anchors(open_page(html=html).page)
    assert len(bad) == 2
    assert "'#gone'" in bad[0] and "no element" in bad[0]
    assert "'#d'" in bad[1] and "2 elements" in bad[1]


@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors_page_errors_or_outside_requests(reproduced, open_page, name):
    path = reproduced / name
    opened = open_page(path)
    opened.page.wait_for_load_state("networkidle")
    assert not opened.console_errors, f"console errors in {name}: {opened.console_errors}"
    assert not opened.page_errors, f"uncaught script errors in {name}: {opened.page_errors}"
    assert not opened.failed_requests, f"failed loads in {name}: {opened.failed_requests}"
    outside = [u[:80] for u in opened.requests if u != path.as_uri() and not u.startswith("data:")]
    assert not outside, f"{name} is not self-contained, it requested {outside}"


@pytest.mark.parametrize("name", PAGES)
def test_first_screen_renders(reproduced, open_page, name, tmp_path):
    page = open_page(reproduced / name).page
    shot = tmp_path / (name.replace("/", "_").removesuffix(".html") + ".png")
    page.screenshot(path=str(shot))
    heading = page.locator("h1").first
    assert heading.is_visible(), f"{name} has no visible <h1>"
    box = heading.bounding_box()
    assert box is not None and box["y"] + box["height"] <= VIEWPORT["height"], box
    with Image.open(shot) as img:
        assert img.size == (VIEWPORT["width"], VIEWPORT["height"])
        assert len(img.convert("L").getcolors()) > 2, f"{name}: the first screen is blank"
