"""The HTML report in a real browser: headless Chromium loads the file (no server), runs its
script without a console message, and renders the tables and plots."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from agent.store import RunStore
from benchmarks.report import build, write
from tests.benchmarks.report_fixtures import two_model_run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`; "
                                                          ".ci/run installs it)")
TIMEOUT_S = 90


def chromium(*args: str, cwd: Path) -> tuple[str, str]:
    """Run headless Chromium; its whole process tree is killed on timeout."""
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--enable-logging=stderr", "--v=0", f"--user-data-dir={cwd / 'profile'}", *args]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    assert proc.returncode == 0, err[-2000:]
    return out, err


def console_messages(stderr: str) -> list[str]:
    """What the page logged: Chromium prints every console message (and every uncaught
    exception) as an INFO:CONSOLE line."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


class Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.images: list[str] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "img":
            self.images.append(dict(attrs).get("src", ""))
        self._in_cell = tag == "td"

    def handle_data(self, data):
        if self._in_cell and data.strip():
            self.cells.append(data.strip())


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    store = RunStore(folder / "runs.sqlite")
    out = folder / "report.html"
    write(build(store, [two_model_run(store)]), "html", out)
    return folder, out


def test_the_console_check_sees_script_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><p>x</p><script>undefinedFunction();</script></body></html>")
    _, err = chromium("--dump-dom", bad.as_uri(), cwd=tmp_path)
    assert any("Uncaught ReferenceError" in line for line in console_messages(err))


def test_report_renders_with_tables_and_images_and_no_console_message(page):
    folder, out = page
    dom_text, err = chromium("--dump-dom", out.as_uri(), cwd=folder)
    assert console_messages(err) == []
    dom = Dom()
    dom.feed(dom_text)
    assert dom.tags.get("table") == 3 and dom.tags.get("th", 0) > 20
    assert len(dom.images) == 4 and all(src.startswith("data:image/png;base64,") for src in dom.images)
    assert "good" in dom.cells and "poor" in dom.cells
    assert dom.cells[:2] == ["1", "good"]  # the first leaderboard's first row: the winner


def test_screenshot_is_not_blank(page):
    from PIL import Image, ImageStat

    folder, out = page
    shot = folder / "shot.png"
    chromium("--hide-scrollbars", "--window-size=1280,2400", f"--screenshot={shot}", out.as_uri(), cwd=folder)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    histogram = image.convert("L").histogram()
    dark = sum(histogram[:200]) / (image.size[0] * image.size[1])
    assert dark > 0.01  # text, table borders and plots, not an empty white page
    assert max(ImageStat.Stat(image).stddev) > 10
    colors = image.getcolors(maxcolors=1 << 20)
    assert colors is None or len(colors) > 200  # plots bring many colours; a blank or error page has few
