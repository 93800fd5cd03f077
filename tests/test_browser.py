"""The pages in a real browser: Debian's chromium driven by Playwright. An analyst
opens the UI, runs an example query, follows a result to its entity page, sees an
evidence quote and an explanation, searches with autocomplete, and accepts a draft
claim on the review desk; the pages fit a phone and a laptop, work from the keyboard
and never ask another host for anything. A failing test saves a screenshot in
test-artifacts/ (see conftest.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from conftest import Server, make_home

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt install chromium)")
SEED = "000_d4fee536fbe95bae"


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        # --no-sandbox: CI runs as root; --disable-dev-shm-usage: containers have a small /dev/shm
        launched = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture
def tab(browser, server, request):
    """A fresh page that records every request to another origin and every console
    error (a Content-Security-Policy violation shows as one)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.foreign, page.errors = [], []
    local = urlparse(server.base).netloc

    def watch(req) -> None:
        if urlparse(req.url).scheme in ("http", "https") and urlparse(req.url).netloc != local:
            page.foreign.append(req.url)

    page.on("request", watch)
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    request.node.browser_page = page  # conftest saves a screenshot when the test fails
    yield page
    context.close()


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")


def test_run_an_example_follow_a_result_see_evidence_and_an_explanation(tab, server):
    tab.goto(server.base + "/")
    tab.get_by_role("button", name="Open “01-launched-alliances”").click()
    tab.locator(".tab-pane.active .yasqe_queryButton, .yasqe_queryButton:visible").first.click()
    rows = tab.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=20000)
    assert rows.count() >= 2
    link = tab.locator('.yasr table tbody a[href^="/id/"]').first
    target = link.get_attribute("href")
    assert re.fullmatch(r"/id/[\w-]+", target)  # the result links to its local page
    assert link.get_attribute("target") is None  # opens here, not in another window
    link.evaluate("a => a.click()")  # YASR's ellipsis span lies over the link's text
    tab.wait_for_url(f"**{target}")
    assert tab.locator("h1").inner_text()
    alliance = server.base + "/id/eu-japan-competitiveness-alliance"
    tab.goto(alliance)
    quote = tab.locator("blockquote.evidence mark").first
    quote.wait_for()
    assert quote.is_visible() and len(quote.inner_text()) > 10
    tab.locator("dd.fact.inferred a.why").first.click()
    tab.wait_for_url(re.compile(r"/explain\?s="))
    assert tab.locator("h1").inner_text() == "Why does this hold?"
    assert tab.locator(".step.inferred").count() >= 1
    assert tab.locator(".explanation mark").count() >= 1  # down to the sentences
    _settle(tab)
    assert tab.foreign == [] and tab.errors == []


def test_charts_and_graph_drawings_for_results_that_fit(tab, server):
    tab.goto(server.base + "/")
    tab.get_by_role("button", name="Open “02-agreements-by-status”").click()
    tab.locator(".yasqe_queryButton:visible").first.click()
    tab.locator(".yasr table tbody tr").first.wait_for(timeout=20000)
    tab.locator(".yasr .select_chart:visible").click()
    assert tab.locator("svg.akg-chart rect").count() >= 1
    tab.locator(".yasr .select_graph:visible").click()
    assert tab.locator("svg.akg-graph circle").count() >= 2
    assert tab.foreign == []


def test_search_with_autocomplete_from_any_page(tab, server):
    tab.goto(server.base + f"/doc/{SEED}")
    box = tab.locator("#site-search")
    box.click()
    box.type("Japo", delay=40)
    option = tab.locator("#site-search-list [role=option]").first
    option.wait_for(timeout=10000)
    assert "Japan" in option.inner_text()
    box.press("ArrowDown")
    assert tab.locator("#site-search-list [aria-selected=true]").count() == 1
    box.press("Enter")
    tab.wait_for_url("**/id/japan")
    assert tab.locator("h1").inner_text() == "Japan"
    assert tab.foreign == []


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_a_phone_and_a_laptop(browser, server, width, request):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    request.node.browser_page = page
    for path in ("/", "/id/japan", f"/doc/{SEED}", "/search?q=japan",
                 "/explain?s=id:eu-japan-competitiveness-alliance&p=akg:announcedIn&o=id:tokyo"):
        page.goto(server.base + path)
        _settle(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, width, overflow)
    context.close()


def test_the_keyboard_reaches_the_skip_link_the_navigation_and_the_search(tab, server):
    tab.goto(server.base + "/id/japan")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Skip to content"
    reached = []
    while "site-search" not in reached and len(reached) < 10:
        tab.keyboard.press("Tab")
        reached.append(tab.evaluate("document.activeElement.id || document.activeElement.textContent"))
    assert "Query" in reached and "Documents" in reached and reached[-1] == "site-search"
    tab.keyboard.type("tokyo")
    tab.locator("#site-search-list [role=option]").first.wait_for(timeout=10000)
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/id/tokyo")


@pytest.fixture(scope="module")
def desk(tmp_path_factory, release_dir):
    project = Path(__file__).parent.parent
    home = make_home(tmp_path_factory.mktemp("desk") / "home",
                     [project / "seeds" / f"{SEED}.txt"], claims=False)
    running = Server("--review", "--data", str(release_dir), env={"ALLIANCESKG_HOME": str(home)})
    yield running, home
    running.stop()


def test_accept_a_draft_claim_on_the_review_desk(browser, desk, request):
    server, home = desk
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    request.node.browser_page = page
    page.goto(server.base + f"/review/{SEED}")
    proposals = page.locator(".proposal")
    assert proposals.count() >= 3
    for i in range(1, proposals.count()):          # keep only the first proposal
        proposals.nth(i).get_by_label("reject").check()
    proposals.nth(0).locator("select").select_option("assessment")
    page.locator("#write-claims").click()
    page.locator("#written").wait_for(timeout=30000)
    saved = yaml.safe_load((home / "data" / "claims" / f"{SEED}.yaml").read_text())
    assert len(saved["claims"]) == 1 and saved["claims"][0]["modality"] == "assessment"
    context.close()


def test_an_example_with_parameters_runs_from_its_form(tab, server):
    tab.goto(server.base + "/")
    form = tab.locator("#example-21-partners form")
    form.locator('input[name="actor"]').fill("id:japan")
    form.get_by_role("button").click()
    editor = tab.locator(".CodeMirror:visible").first
    text = editor.evaluate("e => e.CodeMirror.getValue()")
    assert text.rstrip().endswith("VALUES (?actor) { (<https://w3id.org/allianceskg/id/japan>) }")
    tab.locator(".yasqe_queryButton:visible").first.click()
    tab.locator(".yasr table tbody tr").first.wait_for(timeout=20000)
    assert "european-union" in tab.locator(".yasr table tbody:visible").inner_text()
    assert tab.foreign == []


def test_a_long_list_of_values_continues_in_the_query_ui(tab, server):
    """An entity with more than 50 values of one property lists 50 and links the rest
    to the query UI, with the query that lists them all."""
    tab.goto(server.base + "/id/region-world")
    more = tab.locator("dd.more-values a").first
    more.click()
    tab.wait_for_url(re.compile(r"/\?query="))
    editor = tab.locator(".CodeMirror:visible").first
    editor.wait_for()
    assert "region-world" in editor.evaluate("e => e.CodeMirror.getValue()")
    tab.locator(".yasqe_queryButton:visible").first.click()
    tab.locator(".yasr table tbody tr").first.wait_for(timeout=20000)
    assert "Showing 1 to 50 of" in tab.locator(".yasr:visible").inner_text()
    assert tab.foreign == []


def test_prefix_declarations_complete_from_the_projects_prefixes(tab, server):
    tab.goto(server.base + "/")
    tab.locator(".CodeMirror:visible").first.wait_for()
    tab.evaluate("""() => { const cm = document.querySelector('.CodeMirror').CodeMirror;
                            cm.setValue(''); cm.focus(); }""")
    tab.keyboard.type("PREFIX ak")
    tab.keyboard.press("Control+Space")
    hints = tab.locator(".CodeMirror-hints li")
    hints.first.wait_for(timeout=10000)
    assert any("akg: <https://w3id.org/allianceskg/ontology#>" in t for t in hints.all_inner_texts())
    _settle(tab)
    assert tab.foreign == []
