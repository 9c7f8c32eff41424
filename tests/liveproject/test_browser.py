"""in_browser: a scenario in headless Chromium, from plain code and from a thread whose event loop runs (a notebook's),
with the scenario's own exception handed back and the browser closed either way."""

import pytest

from liveproject import browser as browser_module
from liveproject.browser import in_browser


def test_without_chromium_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(browser_module, "chromium_path", lambda: None)
    with pytest.raises(FileNotFoundError, match="apt-get install -y chromium"):
        in_browser(lambda browser: None)


needs_chromium = pytest.mark.skipif(browser_module.chromium_path() is None, reason=browser_module.INSTALL_HINT)


@pytest.mark.live
@needs_chromium
async def test_a_scenario_runs_while_an_event_loop_runs_and_its_exception_comes_back():
    def scenario(browser):
        page = browser.new_page()
        page.set_content("<p id=p></p><script>document.getElementById('p').textContent = 6 * 7</script>")
        return page.text_content("#p")

    assert in_browser(scenario) == "42"  # Playwright's sync API alone refuses to run on this thread

    def failing(browser):
        browser.new_page().wait_for_selector("#never", timeout=200)

    with pytest.raises(Exception, match="Timeout 200ms exceeded"):
        in_browser(failing)


@pytest.mark.live
@needs_chromium
def test_a_scenario_stuck_past_its_timeout_is_stopped_with_its_browser():
    import psutil

    def stuck(browser):
        browser.new_page().evaluate("() => new Promise(() => {})")  # evaluate() has no timeout of its own

    with pytest.raises(TimeoutError, match="browser was killed"):
        in_browser(stuck, timeout=3)
    assert not [child for child in psutil.Process().children(recursive=True) if "chrom" in child.name()]
