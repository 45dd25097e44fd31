"""The examples installed with stepnet (package data, `stepnet/examples/`): their names,
titles and one-line summaries, and which file `stepnet NAME` means.

Only the TOML of each example is read here, not its data, so listing them is instant and
imports neither NumPy nor the engine; `scenario.load` checks a file when it is opened.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import NamedTuple

from stepnet.errors import ScenarioError

#: the bundled scenario files and their data; a wheel installs them as files, which the
#: scenarios need (each names its data by a path relative to itself), beside this module
#: (`importlib.resources` would find the same folder, and add 7 ms to every command's start)
DIRECTORY = Path(__file__).resolve().parent / "examples"


class Example(NamedTuple):
    name: str  # what `stepnet NAME` takes: the file's name without `.toml`
    path: Path
    title: str
    summary: str  # the first sentence of the description, without Markdown marks


def names() -> list[str]:
    """The bundled examples' names, in order."""
    return sorted(path.stem for path in DIRECTORY.glob("*.toml"))


def examples() -> list[Example]:
    """Every bundled example, by name."""
    return [_read(DIRECTORY / f"{name}.toml") for name in names()]


def _read(path: Path) -> Example:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return Example(path.stem, path, doc["title"], first_sentence(doc.get("description", "")))


def first_sentence(markdown: str) -> str:
    """The first sentence of a Markdown text, on one line, without `**` and backticks."""
    text = re.sub(r"\*\*|`", "", " ".join(markdown.split()))
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]


def resolve(argument: str) -> Path:
    """The scenario file `argument` means. A file on disk wins; otherwise a bare name (no
    folder; `.toml` optional) is a bundled example. A missing file is left to the loader
    to report, unless a bundled example has its name (`scenarios/mazur.toml` away from the
    checkout): then it, or a bare name close to one, gets a suggestion."""
    path = Path(argument)
    name = path.name.removesuffix(".toml")
    try:
        if path.exists() and not path.is_dir():
            return path
        if path.name != argument:  # a path with folders, not a name
            if path.exists() or name not in names():
                return path
            raise ScenarioError(argument, "", f"no such file; the bundled example of that name is `stepnet {name}`")
        if name in names():
            return DIRECTORY / f"{name}.toml"
        if path.exists():  # a folder that is not an example
            return path
    except OSError:  # a name too long for the system, say
        return path  # the loader reports what is wrong with it
    from stepnet.fields import did_you_mean  # imports NumPy: only for a mistake

    hint = did_you_mean(name, names())
    raise ScenarioError(argument, "", f"no such file or bundled example{hint or ' (`stepnet examples` lists them)'}")
