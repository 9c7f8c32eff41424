"""The realtime page in a real browser (headless Chromium): what an EventSource and a WebSocket do by themselves,
which no Python client can show: events in order, the reconnect that resumes from Last-Event-ID, a message from one
tab in another, and a page of another site refused its WebSocket."""

import http.server
import os
import threading

import pytest

from liveproject import LiveServer
from liveproject.browser import INSTALL_HINT, chromium_path, in_browser
from tests.conftest import soon

pytestmark = pytest.mark.live  # every test here starts a server and a browser

if chromium_path() is None:
    if os.environ.get("COURSE_CI_RUN"):
        pytest.fail(f"CI runs the browser tests: {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"no browser for these tests: {INSTALL_HINT}", allow_module_level=True)


@pytest.fixture(scope="module")
def server():
    with LiveServer("uvicorn", settings={"REALTIME_HEARTBEAT_SECONDS": 0.5}) as server:
        yield server


def texts(page, selector: str) -> list[str]:
    return page.locator(selector).all_text_contents()


def subscribers(server, topic) -> int:
    return server.client.get("/realtime/stats/").json()["subscribers"].get(topic, 0)


def test_events_arrive_in_order_and_a_reconnect_resumes_after_the_last_id(server):
    editor = server.login("editor")

    def publish(message: str) -> int:
        return editor.post("/realtime/browser/publish/", json={"message": message}).json()["id"]

    def scenario(browser):
        page = browser.new_page()
        # limit=2: the server ends each stream after two events, and the browser reconnects by itself
        page.goto(f"{server.url}/realtime/live/?topic=browser&limit=2")
        page.wait_for_function("document.getElementById('sse-state').textContent === 'open'")
        sent = [publish("one"), publish("two")]
        assert soon(lambda: subscribers(server, "browser") == 0)  # the stream ended after two events
        sent.append(publish("three"))  # while the browser waits its retry: 1000 ms
        page.wait_for_function("document.querySelectorAll('#events li').length >= 3")
        page.wait_for_timeout(300)  # room for a duplicate to show up, if the server sent one
        return sent, texts(page, "#events li"), page.text_content("#sse-opens")

    sent, shown, opens = in_browser(scenario)
    assert shown == [f"#{sent[0]} one (by editor)", f"#{sent[1]} two (by editor)", f"#{sent[2]} three (by editor)"]
    assert opens == "2"  # the third event came over the browser's second connection...
    assert server.wait_for_log(f"on browser resumes after id {sent[1]}")  # ...which sent Last-Event-ID


def test_a_message_sent_in_one_tab_reaches_another(server):
    def scenario(browser):
        context = browser.new_context()
        sender, receiver = context.new_page(), context.new_page()
        for page in (sender, receiver):
            page.goto(f"{server.url}/realtime/live/?room=tabs")
            page.wait_for_function("document.getElementById('ws-state').textContent === 'open'")
        sender.fill("#text", "hello, other tab")
        sender.click("button")
        receiver.wait_for_function("document.querySelectorAll('#messages li').length >= 2")
        return texts(receiver, "#messages li")

    assert in_browser(scenario) == ["joined tabs as anonymous", "anonymous: hello, other tab"]


class OtherSite(http.server.BaseHTTPRequestHandler):
    """A page of another site, http://evil.example:<port>/ (the browser maps the name to 127.0.0.1), whose script
    opens a WebSocket to the course's server; the browser sends its Origin with the handshake."""

    target = ""

    def do_GET(self):
        body = f"""<p id="ws-state">connecting</p><script>
            const socket = new WebSocket("{self.target}");
            socket.onopen = () => {{ document.getElementById("ws-state").textContent = "open"; }};
            socket.onclose = (e) => {{
                document.getElementById("ws-state").textContent = `closed (code ${{e.code}})`;
            }};
        </script>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_page_of_another_site_is_refused_its_websocket(server):
    handler = type("Handler", (OtherSite,), {"target": server.url.replace("http://", "ws://") + "/ws/rooms/lobby/"})
    other_site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=other_site.serve_forever, daemon=True)
    thread.start()
    try:

        def scenario(browser):
            page = browser.new_page()
            page.goto(f"http://evil.example:{other_site.server_port}/")
            page.wait_for_function("document.getElementById('ws-state').textContent.startsWith('closed')")
            own = browser.new_page()  # the control: the same browser, from the server's own page
            own.goto(f"{server.url}/realtime/live/")
            own.wait_for_function("document.getElementById('ws-state').textContent === 'open'")
            return page.text_content("#ws-state")

        assert in_browser(scenario, map_hosts=["evil.example"]) == "closed (code 1006)"  # the handshake got a 403
    finally:
        other_site.shutdown()
        other_site.server_close()
        thread.join(5)
