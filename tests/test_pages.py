"""The HTML page and the LaTeX document of `stepnet export`.

The page is opened in headless Chromium (Debian's; `.ci/run` installs it). Its maths
library, KaTeX, comes from a CDN the test machine may not reach, so the test serves the very
files the page pins — the npm package of that version, fetched with npm, checked against the
page's integrity hashes — from a local server at the CDN's place, and checks that every
formula was typeset. A second run points the CDN at a closed port: the LaTeX stays, readable,
with the line saying why. The LaTeX document is compiled by the first TeX engine found; with
none, its structure is checked."""

from __future__ import annotations

import base64
import functools
import hashlib
import html as markup
import os
import re
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import SCENARIOS

from stepnet import cli, scenario
from stepnet.export.render.html import CDN, INTEGRITY, KATEX_VERSION

BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
TEX = next(filter(None, map(shutil.which, ("pdflatex", "lualatex", "xelatex"))), None)
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine, and none could be installed "
                                   "(.ci/run installs Debian's chromium when it can)")


def export(tmp_path: Path, name: str, *arguments: str) -> Path:
    out = tmp_path / name
    assert cli.main(["export", *arguments, "-o", str(out)]) == 0
    return out


def operations(file: str) -> list[str]:
    """The LaTeX of each operation of the scenario's first iteration."""
    return [op.latex for op in scenario.load(SCENARIOS / f"{file}.toml").debugger().ops]


# --- the page, without a browser ----------------------------------------------------------


def test_the_page_holds_each_formula_as_latex_and_loads_only_katex_pinned(tmp_path):
    page = export(tmp_path, "mazur.html", "mazur").read_text()
    formulas = re.findall(r'<div class="math">\$\$(.*?)\$\$</div>', page)
    assert [markup.unescape(f) for f in formulas] == operations("mazur")
    assert re.findall(r'(?:src|href)="(http[^"]+)"', page) == [f"{CDN}katex.min.css", f"{CDN}katex.min.js"]
    for file, digest in INTEGRITY.items():
        assert f'{CDN}{file}" integrity="{digest}" crossorigin="anonymous"' in page
    assert '<p class="offline">' in page and "<style>" in page  # standalone: its style in the page


# --- the page, in a browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def katex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """KaTeX's files at the version the page pins, from the npm registry."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is missing: it fetches KaTeX from the npm registry, which the CDN serves as it is")
    folder = tmp_path_factory.mktemp("katex")
    fetched = subprocess.run([npm, "pack", f"katex@{KATEX_VERSION}", "--pack-destination", str(folder)],
                             capture_output=True, text=True, timeout=180,
                             env={**os.environ, "npm_config_cache": str(folder / "cache"),
                                  "npm_config_update_notifier": "false"})
    if fetched.returncode:
        pytest.skip(f"KaTeX {KATEX_VERSION} could not be fetched from the npm registry: "
                    f"{fetched.stderr.strip()[-200:]}")
    with tarfile.open(next(folder.glob("katex-*.tgz"))) as tarball:
        tarball.extractall(folder, filter="data")
    return folder / "package" / "dist"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served on a free port of 127.0.0.1, and its address."""
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def chromium(url: str, profile: Path, *output: str) -> str:
    """What headless Chromium makes of the page: its DOM once scripts ran, or a screenshot."""
    run = subprocess.run(
        [str(BROWSER), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--virtual-time-budget=10000", "--hide-scrollbars", "--window-size=1000,900",
         *output, url], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def sha384(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


@needs_browser
def test_in_a_browser_every_formula_is_typeset_by_katex(served, katex, tmp_path):
    folder, address = served
    shutil.copytree(katex, folder / "katex")
    for file, digest in INTEGRITY.items():  # the page's hashes are those of the package: the CDN's files
        assert sha384(folder / "katex" / file) == digest
    for name, arguments in (("mazur", ["mazur"]), ("delta2", ["mazur", "--op", "delta2"])):
        page = export(tmp_path, f"{name}.source.html", *arguments).read_text()
        (folder / f"{name}.html").write_text(page.replace(CDN, "/katex/"))
    dom = chromium(f"{address}mazur.html", tmp_path / "profile", "--dump-dom")
    assert re.search(r'<html lang="en" class="typeset">', dom)
    assert dom.count('class="katex-display"') == len(operations("mazur")) == 18
    assert "katex-error" not in dom and "$$" not in dom  # no formula left as LaTeX, none refused
    screenshot = tmp_path / "delta2.png"  # one formula, to look at
    chromium(f"{address}delta2.html", tmp_path / "profile", f"--screenshot={screenshot}")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000


@needs_browser
def test_offline_the_page_shows_its_latex_and_says_why(served, tmp_path):
    folder, address = served
    page = export(tmp_path, "mazur.source.html", "mazur").read_text()
    (folder / "mazur.html").write_text(page.replace(CDN, "http://127.0.0.1:9/"))  # nothing listens there
    dom = chromium(f"{address}mazur.html", tmp_path / "profile", "--dump-dom")
    assert 'class="typeset"' not in dom and "katex" not in dom.split("</head>")[1]
    assert "The formulas are written in LaTeX. Online, KaTeX typesets them." in dom
    formulas = [markup.unescape(f) for f in re.findall(r'<div class="math">\$\$(.*?)\$\$</div>', dom, re.S)]
    assert formulas == operations("mazur")


# --- the LaTeX document -------------------------------------------------------------------


DOCUMENTS = {"mazur.tex": ["mazur"], "mazur-neuron-exercise.tex": ["mazur", "--neuron", "2:0", "--exercise"],
             "micrograd-key.tex": ["micrograd", "--answers"], "adam.tex": ["adam_by_hand", "-n", "2"],
             "dropout-op.tex": ["dropout", "--op", "dact2"]}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_latex_document_is_plain_ascii_with_each_formula_and_balanced(name, tmp_path):
    tex = export(tmp_path, name, *DOCUMENTS[name]).read_text()
    assert tex.isascii() and tex.startswith("\\documentclass") and tex.endswith("\\end{document}\n")
    begun = re.findall(r"\\begin\{(\w+\*?)\}", tex)
    assert sorted(begun) == sorted(re.findall(r"\\end\{(\w+\*?)\}", tex)) and "document" in begun
    unescaped = re.sub(r"\\[{}]", "", tex)
    assert unescaped.count("{") == unescaped.count("}")
    if name == "mazur.tex":
        assert [f"\\formula{{{latex}}}" in tex for latex in operations("mazur")] == [True] * 18
        assert "delta2[0,0] (\\delta\\_o1)" not in tex and "delta2[0,0] ($\\delta$\\_o1) =\\allowbreak{} " in tex


@pytest.mark.skipif(TEX is None, reason="no TeX engine on this machine (pdflatex, lualatex or xelatex): "
                                        "the structure test above checks the document")
@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_latex_document_compiles(name, tmp_path):
    export(tmp_path, name, *DOCUMENTS[name])
    run = subprocess.run([str(TEX), "-interaction=nonstopmode", "-halt-on-error", name], cwd=tmp_path,
                         capture_output=True, text=True, timeout=180)
    log = (tmp_path / name).with_suffix(".log").read_text(errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert (tmp_path / name).with_suffix(".pdf").stat().st_size > 10_000
    assert "Missing character" not in log and "Undefined control sequence" not in log
