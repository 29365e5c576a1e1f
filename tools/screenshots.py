"""Take the README's screenshots from a running try-it database, in headless Chromium.

    ./try-it --screenshots                      # starts everything, shoots, stops
    python3 tools/screenshots.py --url http://127.0.0.1:8069 --db amazon_sp_demo

Logs in as admin/admin over JSON-RPC, hands the session cookie to Chromium through the
DevTools protocol, opens each screen, waits until its content is drawn and saves a PNG in
``static/description/screenshots/`` (``--out`` to change).
"""

import argparse
import base64
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

HERE = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1600, 900


class Odoo:
    """The few JSON-RPC calls the screenshots need, as admin."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        result = self._call("/web/session/authenticate", {"db": db, "login": login, "password": password})
        if not result.get("uid"):
            sys.exit(f"screenshots: cannot log in to {db} as {login}")
        self.session_id = self.http.cookies["session_id"]

    def _call(self, path, params):
        response = self.http.post(f"{self.url}{path}", json={"jsonrpc": "2.0", "params": params}, timeout=60)
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            sys.exit(f"screenshots: {path}: {body['error']['data']['message']}")
        return body["result"]

    def search(self, model, domain, order="id"):
        params = {"model": model, "method": "search", "args": [domain], "kwargs": {"order": order, "limit": 1}}
        ids = self._call("/web/dataset/call_kw", params)
        if not ids:
            sys.exit(f"screenshots: no {model} matches {domain}: run ./try-it first")
        return ids[0]


class Chromium:
    """One headless Chromium tab driven over the DevTools protocol."""

    def __init__(self, binary):
        with socket.socket() as probe:  # a free port for the DevTools endpoint
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix="amazon-screenshots-")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                pages = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                page = next(p for p in pages if p["type"] == "page")
                break
            except (requests.RequestException, StopIteration):
                if time.monotonic() > deadline:
                    self.close()
                    sys.exit("screenshots: Chromium did not start")
                time.sleep(0.2)
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0

    def send(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_for(self, selector, timeout=60):
        """Until ``selector`` is on the page and the page has stopped loading data."""
        script = (
            f"!!document.querySelector({json.dumps(selector)})"
            " && !document.querySelector('.o_loading_indicator, .o-main-components-container .o_blockUI')"
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.send("Runtime.evaluate", expression=script, returnByValue=True)["result"].get("value"):
                time.sleep(1.5)  # charts animate, fonts settle
                return
            time.sleep(0.3)
        raise TimeoutError(f"{selector} never appeared")

    def shoot(self, url, selector, path):
        self.send("Page.navigate", url=url)
        self.wait_for(selector)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"screenshots: {path.relative_to(HERE) if path.is_relative_to(HERE) else path}")  # noqa: T201

    def close(self):
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="amazon_sp_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", type=Path, default=HERE / "static" / "description" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    args = parser.parse_args()
    if not args.chromium:
        sys.exit("screenshots: Chromium is not installed (Debian: apt-get install chromium)")
    odoo = Odoo(args.url, args.db, args.login, args.password)
    account = odoo.search("amazon.account", [("seller_id", "!=", False)])
    # the demo's FBM order with two SKUs and a promotion
    order = odoo.search("sale.order", [("amazon_channel", "=", "fbm"), ("partner_id.name", "=", "Alan Turing")])
    screens = [
        ("account.png", f"/odoo/action-amazon_sp_connector.action_amazon_account/{account}", ".o_form_sheet"),
        ("order.png", f"/odoo/action-amazon_sp_connector.action_amazon_sale_orders/{order}", "[name=amazon_badges]"),
        ("report.png", "/odoo/action-amazon_sp_connector.action_amazon_sale_report", ".o_pivot table"),
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    browser = Chromium(args.chromium)
    try:
        browser.send(
            "Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False
        )
        browser.send("Network.enable")
        browser.send("Network.setCookie", name="session_id", value=odoo.session_id, url=odoo.url)
        for name, path, selector in screens:
            browser.shoot(odoo.url + path, selector, args.out / name)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
