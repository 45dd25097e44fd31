"""The bundled examples work away from the checkout: found through the installed package
(importlib.resources), by name with every command, a file on disk winning over a name."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from stepnet import bundled, scenario
from stepnet.cli import main
from stepnet.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
INSTALLED = Path(str(resources.files("stepnet"))) / "examples"
NAMES = sorted(p.stem for p in INSTALLED.glob("*.toml"))


@pytest.fixture(autouse=True)
def elsewhere(tmp_path, monkeypatch) -> Path:
    """Every test runs in an empty folder outside the checkout."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_examples_are_the_package_s_files():
    assert len(NAMES) >= 10 and bundled.names() == NAMES
    assert [e.path for e in bundled.examples()] == [INSTALLED / f"{n}.toml" for n in NAMES]


@pytest.mark.parametrize("name", NAMES)
def test_a_name_opens_the_bundled_file_with_its_data(name):
    path = bundled.resolve(name)
    assert path == INSTALLED / f"{name}.toml" == bundled.resolve(f"{name}.toml")
    s = scenario.load(path)  # its data files are found too
    assert s.title == tomllib.loads(path.read_text())["title"]


def test_a_file_on_disk_wins_over_a_name(elsewhere, capsys):
    (elsewhere / "mazur").write_text((INSTALLED / "xor.toml").read_text())
    assert bundled.resolve("mazur") == Path("mazur")
    assert main(["check", "mazur"]) == 0
    assert capsys.readouterr().out == "mazur: no [[expect]] figures to check\n"  # xor's, not Mazur's


def test_a_folder_does_not_hide_an_example_but_a_path_is_not_a_name(elsewhere, capsys):
    (elsewhere / "xor").mkdir()
    assert bundled.resolve("xor") == INSTALLED / "xor.toml"
    (elsewhere / "sub").mkdir()
    (elsewhere / "sub" / "xor.toml").write_text((INSTALLED / "mazur.toml").read_text())
    assert bundled.resolve("sub/xor.toml") == Path("sub/xor.toml")
    assert bundled.resolve("sub/other.toml") == Path("sub/other.toml")
    assert main(["check", "sub/other.toml"]) == 2
    assert capsys.readouterr().err == "stepnet: sub/other.toml: no such file\n"


def test_a_missing_path_named_like_an_example_points_to_it(capsys):
    assert main(["check", "scenarios/mazur.toml"]) == 2  # the README's path, away from the checkout
    assert capsys.readouterr().err == ("stepnet: scenarios/mazur.toml: no such file; "
                                       "the bundled example of that name is `stepnet mazur`\n")


@pytest.mark.parametrize("argv", [["check", "mazr"], ["mazr"], ["trace", "mazr.toml"]])
def test_an_unknown_name_is_one_line_with_a_suggestion(argv, capsys):
    assert main(argv) == 2
    name = argv[-1]
    assert capsys.readouterr().err == f"stepnet: {name}: no such file or bundled example — did you mean 'mazur'?\n"


def test_a_name_close_to_nothing_points_to_the_list(capsys):
    with pytest.raises(ScenarioError, match=r"^qqqq: no such file or bundled example \(`stepnet examples` lists them\)$"):
        bundled.resolve("qqqq")


@pytest.mark.parametrize("argv, shown", [
    (["check", "mazur"], "9 of 9 figures confirmed"),
    (["trace", "mazur"], "delta2 = grad_a2 ⊙ σ′(z2)"),
    (["gradcheck", "mazur"], "parameters within relative error"),
    (["train", "mazur", "-n", "2"], "final after 2 iterations"),
    (["export", "mazur"], "A Step by Step Backpropagation Example"),
])
def test_every_command_takes_a_name(argv, shown, capsys):
    assert main(argv) == 0
    assert shown in capsys.readouterr().out


def test_the_debugger_takes_a_name(app_started):
    assert main(["mazur"]) == 0
    assert app_started[0].scenario.path == INSTALLED / "mazur.toml"


def test_stepnet_examples_lists_each_with_its_title_and_first_sentence(capsys):
    assert main(["examples"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in NAMES:
        doc = tomllib.loads((INSTALLED / f"{name}.toml").read_text())
        i = next(i for i, line in enumerate(lines) if line.split()[:1] == [name])
        assert lines[i].split(None, 1)[1] == doc["title"]
        summary = lines[i + 1].strip()
        plain = " ".join(doc["description"].split()).replace("**", "").replace("`", "")
        assert summary.endswith(".") and plain.startswith(summary) and len(summary) < len(plain)
    assert str(INSTALLED) in lines[-1]  # where to copy one from


@pytest.mark.parametrize("markdown, sentence", [
    ("Inputs 0.05 and 0.10, rate 0.5. Then more.", "Inputs 0.05 and 0.10, rate 0.5."),
    ("\nA **bold** and `code`\nline. Next", "A bold and code line."),
    ("No full stop", "No full stop"),
])
def test_first_sentence(markdown, sentence):
    assert bundled.first_sentence(markdown) == sentence


def test_the_package_data_holds_every_example_file():
    """What pip installs is what pyproject.toml lists: every file of the examples must match."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["stepnet"]
    files = [p.relative_to(ROOT / "stepnet").as_posix() for p in (ROOT / "stepnet" / "examples").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    assert files and all(any(fnmatch.fnmatch(f, pattern) for pattern in patterns) for f in files), files
