"""The published pages in a real browser: Debian's headless chromium driven by Playwright.

Two sets of pages are checked: the hand-translated article (every review status,
real Russian and Japanese wording) and the pages `tandem run` writes for the
sample article with the real tiny models. Screenshots of every page (wide,
narrow and print) are saved under tests/.artifacts/browser/ for people to look at.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from playwright import sync_api

from tandem.publish import site
from tests.conftest import ROOT, SAMPLE, run_tandem
from tests.fixtures import hand_translated

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / ".artifacts" / "browser"
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
HOVER_BACKGROUND = "rgb(234, 241, 251)"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/install` (apt-get install chromium fonts-noto-cjk)")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def folders(tmp_path_factory, packages_dir) -> dict[str, Path]:
    """Both page sets on disk: {set name: folder}."""
    out = tmp_path_factory.mktemp("pages")
    site.publish_pages(hand_translated.documents(), out / "lighthouse", date(2026, 12, 28))
    result = run_tandem("run", str(SAMPLE), "--out", str(out), packages=packages_dir)
    assert result.returncode == 0, result.stderr
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return {"lighthouse": out / "lighthouse", "harbor-radar-mt": out / "harbor-radar"}


def _pages(folders, pattern="*.html"):
    return [(name, path) for name, folder in folders.items() for path in sorted(folder.glob(pattern))]


class Loaded:
    """A page opened from disk, with every console error, page error and network request seen."""

    def __init__(self, browser, path: Path, viewport: dict, fragment: str = "") -> None:
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        self.page.on("request", self._request)
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_load_state("load")

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _request(self, request) -> None:
        if not request.url.startswith("file://"):  # pages must not need the network
            self.problems.append(f"remote request: {request.url}")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.context.close()


def test_every_page_loads_cleanly_and_is_screenshotted(browser, folders):
    shots = []
    for set_name, path in _pages(folders):
        for label, viewport in (("wide", WIDE), ("narrow", NARROW)):
            with Loaded(browser, path, viewport) as loaded:
                assert loaded.problems == [], (path.name, label, loaded.problems)
                shot = ARTIFACTS / set_name / f"{path.stem}.{label}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                loaded.page.screenshot(path=str(shot), full_page=True)
                shots.append(shot)
    assert len(shots) == 2 * 2 * 6
    assert all(s.stat().st_size > 10_000 for s in shots)


ROW_GEOMETRY = """() => [...document.querySelectorAll('tr.segment')].map(row => {
  const [s, t] = row.querySelectorAll('td');
  const line = el => { const r = document.createRange(); r.selectNodeContents(el.querySelector('.text'));
                       return r.getClientRects()[0]; };
  const a = s.getBoundingClientRect(), b = t.getBoundingClientRect();
  return {id: row.id, sTop: a.top, tTop: b.top, sBottom: a.bottom, sLeft: a.left, tLeft: b.left,
          sRight: a.right, sLine: line(s).top, tLine: line(t).top, sLineBottom: line(s).bottom};
})"""


@pytest.mark.parametrize("viewport", [WIDE, {"width": 800, "height": 900}])
def test_side_by_side_rows_start_at_the_same_height(browser, folders, viewport):
    for _, path in _pages(folders, "*.en-*.html"):
        with Loaded(browser, path, viewport) as loaded:
            rows = loaded.page.evaluate(ROW_GEOMETRY)
        assert len(rows) > 5
        for r in rows:
            assert abs(r["sTop"] - r["tTop"]) < 0.5, (path.name, r)
            assert r["sRight"] <= r["tLeft"], (path.name, r)  # side by side
            # first lines of both sides share one line box (fonts differ, so a pixel or two)
            assert abs(r["sLine"] - r["tLine"]) < 4, (path.name, r)
            assert r["tLine"] < r["sLineBottom"], (path.name, r)


def test_narrow_layout_stacks_each_pair_without_horizontal_scrolling(browser, folders):
    for _, path in _pages(folders, "*.en-*.html"):
        with Loaded(browser, path, NARROW) as loaded:
            rows = loaded.page.evaluate(ROW_GEOMETRY)
            overflow = loaded.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path.name
        for r in rows:
            assert r["tTop"] >= r["sBottom"] - 0.5, (path.name, r)  # target below its source
            assert abs(r["sLeft"] - r["tLeft"]) < 0.5, (path.name, r)


def _platform_fonts(page, selector: str) -> list[dict]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.parametrize("page_name, selectors", [
    ("lighthouse.en-ja.html", ["#p2\\.s1-ja .text", "#p4\\.s1-ja .text", "h1", ".summary"]),
    ("lighthouse.ja.html", ["#p2", "#p3", "h1", "footer p"]),
    ("harbor-radar.en-ja.html", ["#p2\\.s1-ja .text", "#p9\\.s2-ja .text"]),
])
def test_japanese_renders_with_a_cjk_font(browser, folders, page_name, selectors):
    folder = folders["lighthouse" if page_name.startswith("lighthouse") else "harbor-radar-mt"]
    with Loaded(browser, folder / page_name, WIDE) as loaded:
        for selector in selectors:
            text = loaded.page.locator(selector).first.text_content()
            fonts = _platform_fonts(loaded.page, selector)
            cjk_glyphs = sum(f["glyphCount"] for f in fonts if "CJK" in f["familyName"])
            # every Japanese character was drawn with a CJK font, none fell back to a box
            assert cjk_glyphs >= len(CJK.findall(text)) > 0, (selector, fonts)


def test_russian_renders_with_a_font_from_the_stack(browser, folders):
    with Loaded(browser, folders["lighthouse"] / "lighthouse.ru.html", WIDE) as loaded:
        fonts = _platform_fonts(loaded.page, "#p2")
    assert fonts and all(f["familyName"] in ("Noto Sans", "DejaVu Sans", "Liberation Sans", "Noto Sans CJK JP")
                         for f in fonts), fonts


PHRASE_LINES = """sel => [...document.querySelectorAll(sel)].flatMap(el => [...el.childNodes]
  .filter(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
  .map(n => { const r = document.createRange(); r.selectNodeContents(n);
              return {text: n.textContent, tops: [...new Set([...r.getClientRects()].map(x => Math.round(x.top)))]}; }))"""


def test_japanese_lines_break_only_between_budoux_phrases(browser, folders):
    with Loaded(browser, folders["lighthouse"] / "lighthouse.ja.html", NARROW) as loaded:
        style = loaded.page.evaluate("getComputedStyle(document.querySelector('#p2'))")
        phrases = loaded.page.evaluate(PHRASE_LINES, "#p2 .segment, #p4 .segment")
        lines = loaded.page.evaluate("Math.round(document.querySelector('#p2').getBoundingClientRect().height"
                                     " / parseFloat(getComputedStyle(document.querySelector('#p2')).lineHeight))")
    assert (style["lineBreak"], style["wordBreak"]) == ("strict", "keep-all")
    assert lines >= 3  # the paragraph does wrap at this width
    assert len(phrases) > 10
    for phrase in phrases:
        assert len(phrase["tops"]) == 1, phrase  # no phrase is split across lines


def test_russian_text_is_hyphenated_automatically(browser, folders):
    with Loaded(browser, folders["lighthouse"] / "lighthouse.en-ru.html", WIDE) as loaded:
        assert loaded.page.evaluate("getComputedStyle(document.querySelector('#p2\\\\.s1-ru')).hyphens") == "auto"
        assert loaded.page.evaluate("getComputedStyle(document.querySelector('#p2\\\\.s1-en')).hyphens") != "auto"


ROW_BACKGROUND = "id => getComputedStyle(document.getElementById(id)).backgroundColor"


def test_hover_and_focus_highlight_the_counterpart(browser, folders):
    with Loaded(browser, folders["lighthouse"] / "lighthouse.en-ru.html", WIDE) as loaded:
        page = loaded.page
        assert page.evaluate(ROW_BACKGROUND, "p3.s1") != HOVER_BACKGROUND
        page.hover("#p3\\.s1-en")
        assert page.evaluate(ROW_BACKGROUND, "p3.s1") == HOVER_BACKGROUND
        page.hover("#p4\\.s1-ru")
        assert page.evaluate(ROW_BACKGROUND, "p3.s1") != HOVER_BACKGROUND
        assert page.evaluate(ROW_BACKGROUND, "p4.s1") == HOVER_BACKGROUND
        page.mouse.move(0, 0)
        page.focus("#p2\\.s2 th a")
        assert page.evaluate(ROW_BACKGROUND, "p2.s2") == HOVER_BACKGROUND
        page.screenshot(path=str(ARTIFACTS / "lighthouse" / "lighthouse.en-ru.focus.png"))


def test_segment_anchor_opens_the_pair_in_view(browser, folders):
    with Loaded(browser, folders["harbor-radar-mt"] / "harbor-radar.en-ja.html", WIDE, "#p14.s2") as loaded:
        state = loaded.page.evaluate("""() => { const t = document.querySelector(':target');
            return {id: t.id, top: t.getBoundingClientRect().top, h: innerHeight}; }""")
    assert state["id"] == "p14.s2" and 0 <= state["top"] < state["h"]


CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                     if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width <= 1 || box.height <= 1 || getComputedStyle(el).visibility === 'hidden') continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color).slice(0, 3)), lum(bg(el))];
    out.push({tag: el.tagName, cls: el.className, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return out; }"""


def test_accessibility_smoke_landmarks_headings_contrast(browser, folders):
    for _, path in _pages(folders):
        with Loaded(browser, path, WIDE) as loaded:
            cdp = loaded.page.context.new_cdp_session(loaded.page)
            nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
            roles = [n.get("role", {}).get("value") for n in nodes if not n.get("ignored")]
            levels = [int(p["value"]["value"]) for n in nodes if n.get("role", {}).get("value") == "heading"
                      for p in n.get("properties", []) if p["name"] == "level"]
            ratios = loaded.page.evaluate(CONTRAST)
        for role in ("banner", "navigation", "main", "contentinfo"):
            assert role in roles, (path.name, role)
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path.name, levels)
        low = [r for r in ratios if r["ratio"] < 4.5]
        assert ratios and not low, (path.name, low)


def test_print_keeps_pairs_side_by_side_without_navigation(browser, folders):
    path = folders["lighthouse"] / "lighthouse.en-ja.html"
    with Loaded(browser, path, {"width": 700, "height": 1000}) as loaded:
        loaded.page.emulate_media(media="print")
        rows = loaded.page.evaluate(ROW_GEOMETRY)
        nav_shown = loaded.page.evaluate("getComputedStyle(document.querySelector('header')).display")
        loaded.page.screenshot(path=str(ARTIFACTS / "lighthouse" / "lighthouse.en-ja.print.png"), full_page=True)
    assert nav_shown == "none"
    assert all(abs(r["sTop"] - r["tTop"]) < 0.5 and r["sRight"] <= r["tLeft"] for r in rows)


def test_article_links_are_clickable_and_hostile_ones_are_plain_text(browser, tmp_path):
    from tandem import align
    from tandem.document import BlockKind, CodeKind
    from tests.test_publish_markup import _article, _translation, pair

    text = "Read the report. Do not click here."
    codes = [*pair("1", CodeKind.LINK, '<a href="other.html#top" onclick="alert(1)">', "</a>", 9, 15),
             *pair("2", CodeKind.LINK, '<a href="javascript:alert(2)">', "</a>", 30, 34)]
    article = _article([(BlockKind.HEADING, 2, "Links", []), (BlockKind.PARAGRAPH, 0, text, codes)], name="links")
    ru = [_translation(s.id, "ru", s.text, s.codes) for s in article.segments]
    site.publish_pages([align.align(article, "ru", ru)], tmp_path, date(2026, 12, 28))
    (tmp_path / "other.html").write_text('<!DOCTYPE html><html lang="en"><title>Other</title><p id="top">Other</p>')
    for name in ("links.en.html", "links.en-ru.html"):
        with Loaded(browser, tmp_path / name, WIDE) as loaded:
            dialogs: list[str] = []
            loaded.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            hrefs = loaded.page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
            assert hrefs and not [h for h in hrefs if not h.startswith("file://")], hrefs
            loaded.page.get_by_text("here.", exact=False).last.click()  # the hostile link is only text
            link = loaded.page.locator("#p2\\.s1 a" if name.endswith(".en.html") else "#p2\\.s1-en a")
            assert link.count() == 1 and link.text_content() == "report"
            link.click()
            loaded.page.wait_for_url("**/other.html#top")
            assert loaded.problems == [] and dialogs == [], (name, loaded.problems, dialogs)
