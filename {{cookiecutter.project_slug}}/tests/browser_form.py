"""Drive the form page in headless Chromium against a live server (`nox -s browser`).

Usage: python tests/browser_form.py CHROMIUM [ROOT]. Starts `serve` on a free port,
fills nothing (the form opens with a real patient's values), submits, and checks that
a prediction appears. Playwright uses the Chromium given; it downloads nothing.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from {{ cookiecutter.module_name }}.core.texts import text

MODULE = "{{ cookiecutter.module_name }}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"error: the server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"error: {url} did not answer within {seconds:.0f} s")


def check_form(chromium: str, root: Path) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", MODULE, "serve", "--root", str(root), "--port", str(port)]
    server = subprocess.Popen(command)
    try:
        wait_until_up(url, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True)
            page = browser.new_page()
            page.goto(url)
            page.get_by_role("button", name=text("form.predict")).click()
            page.wait_for_function("document.getElementById('prediction').textContent !== ''")
            shown = page.text_content("#prediction") or ""
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    # "Predicted <target>: <value>" in the project's language, whatever the target.
    before, _, after = text("form.predicted", target="\0").partition("\0")
    if not (shown.startswith(before) and f"{after}: " in shown):
        raise SystemExit(f"error: the form showed {shown!r} instead of a prediction")
    return shown


if __name__ == "__main__":
    root = Path(sys.argv[2]) if len(sys.argv) > 2 else Path()
    print(check_form(sys.argv[1], root))
