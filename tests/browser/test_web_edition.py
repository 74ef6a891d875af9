"""The web edition in Chromium, with no network: its formulas are typeset by the MathJax it ships.

The site is built as `make html` builds it, served from 127.0.0.1, and every request that
would leave this machine is refused, as it would fail offline or behind a firewall.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("playwright", reason="pytest-playwright is not installed: pip install -r requirements-browser.txt")

REPO = Path(__file__).resolve().parents[2]


def _builder():
    spec = importlib.util.spec_from_file_location("build_html_for_browser", REPO / "web" / "build_html.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    output = tmp_path_factory.mktemp("web")
    _builder().build(output)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_formulas_are_typeset_offline_by_the_shipped_mathjax(page, site_url):
    refused = []

    def only_this_machine(route):
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_machine)
    page.goto(f"{site_url}/04_jacobians.html")
    page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.isReady", timeout=30_000)
    page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done(true)))")
    typeset = page.locator(".MathJax, .MathJax_Display, .MathJax_CHTML").count()
    assert typeset > 20, f"only {typeset} typeset formulas on the page"
    prose = page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown')).map(e => e.innerText).join('\\n')"
    )
    raw = re.findall(r"\$[^$\n]{1,60}\$", prose)
    assert not raw, f"formulas left as raw TeX: {raw[:5]}"
    assert not refused, f"the page asked the network for {refused}"
