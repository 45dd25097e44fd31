"""What-if edits saved as a scenario of their own: the original file's text with the values
changed in place — an element of a weight matrix, a bias, an input, a target, the learning
rate, a graph's leaf — so that its comments, its order and its layout stay. A value that is
not written out where an element can be changed (`init = "he"`, a bias of one number for the
layer, weights from a file, class labels) is written out whole, and that is said; a path to
a file is made relative to the new file's folder.

The new file is written atomically and never over an existing one; the original is never
touched. It is read back before it is written, as any scenario is read: what is saved is a
scenario stepnet opens, holding exactly the edited values.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stepnet import scenario as scenario_file
from stepnet.engine.edits import A0, Edit, apply
from stepnet.engine.graph import Graph
from stepnet.engine.model import Model
from stepnet.engine.names import TARGETS, Name
from stepnet.errors import ScenarioError
from stepnet.files import Unwritable, write_atomically
from stepnet.files import target as file_target
from stepnet.scenario import Scenario
from stepnet.tomlspans import Document, Value, read
from stepnet.tomlspans import Path as KeyPath

Array = np.ndarray
#: a value written out whole holds at most this many numbers (a 784 × 64 matrix does not fit
#: a file one reads)
MAX_WRITTEN = 4096


class SaveError(ValueError):
    """Why the edits cannot be saved, in one line."""


@dataclass(frozen=True)
class Saved:
    path: Path
    #: what was not changed in place: values written out whole, comments not kept
    notes: tuple[str, ...]


def save(scenario: Scenario, edits: Sequence[Edit], destination: str | Path) -> Saved:
    """Write the scenario with `edits` made to `destination`, which must not exist."""
    try:
        destination = file_target(destination)
    except FileExistsError:
        raise SaveError(f"{destination} already exists: choose another name") from None
    except Unwritable as e:
        raise SaveError(str(e)) from None
    if not destination.parent.is_dir():
        raise SaveError(f"{destination.parent} is not a folder")
    try:
        source = scenario.path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise SaveError(f"cannot read {scenario.path}: {e}") from None
    text, notes = edited_text(scenario, edits, source, destination.parent)
    _check(scenario, edits, text, destination)
    try:
        write_atomically(destination, text)
    except FileExistsError:
        raise SaveError(f"{destination} already exists: choose another name") from None
    except Unwritable as e:
        raise SaveError(str(e)) from None
    except OSError as e:
        raise SaveError(f"cannot write {destination}: {e.strerror or e}") from None
    return Saved(destination, tuple(notes))


def edited_text(scenario: Scenario, edits: Sequence[Edit], source: str, folder: Path) -> tuple[str, list[str]]:
    """The scenario's text with the edits made, for a file in `folder`; and the notes."""
    writer = _Writer(scenario, edits, read(source))
    for target in dict.fromkeys(edit.target for edit in edits):
        writer.write(target)
    writer.draw_again()
    writer.relocate(folder)
    return writer.text(), writer.notes


class _Writer:
    def __init__(self, scenario: Scenario, edits: Sequence[Edit], doc: Document) -> None:
        self.scenario, self.edits, self.doc = scenario, edits, doc
        self.model, self.data = apply(scenario.model, scenario.data, edits)
        self.changes: list[tuple[int, int, str]] = []  # (start, end, new text), none overlapping
        self.notes: list[str] = []
        self.drawn: set[int] = set()  # the layers whose init is written out as weights

    def text(self) -> str:
        text = self.doc.text
        for start, end, new in sorted(self.changes, reverse=True):
            text = text[:start] + new + text[end:]
        changed = ", ".join(f"{edit.where()} = {_number(edit.value)}" for edit in self.edits)
        return f"# What-if edits of {self.scenario.path.name}, saved by stepnet: {changed}\n{text}"

    def write(self, target: Name | None) -> None:
        edits = [edit for edit in self.edits if edit.target == target]
        if target is None:
            self._scalar(("optimizer", "learning_rate"), edits[-1].value, "the learning rate")
        elif isinstance(self.model, Graph):
            self._scalar(("graph", "inputs", str(target)), edits[-1].value, f"the leaf {target}")
        elif target in (A0, TARGETS):
            self._data(target, edits)
        else:
            self._parameter(target, edits)

    # --- each kind of value ---------------------------------------------------------------

    def _scalar(self, path: KeyPath, value: float, what: str) -> None:
        found = self.doc.find(path)
        if found is None or found.kind != "scalar":
            raise SaveError(f"{what} is not written as a number at {_dotted(path)} in {self.scenario.path.name}")
        self._replace(found, _number(value))

    def _data(self, target: Name, edits: list[Edit]) -> None:
        key = "inputs" if target == A0 else "targets"
        values = self.data.inputs if target == A0 else self.data.targets
        found = self.doc.find(("data", key))
        if found is None:
            raise SaveError(f"the {key} come from a data file: an edit to them cannot be saved in the scenario's text")
        if _grid(found, values.shape):
            for edit in edits:
                row, column = edit.index
                self._replace(found.items[row].items[column], _number(values[row, column]))
        else:  # class labels
            self._whole(found, values, f"data.{key}", "they were class labels")

    def _parameter(self, target: Name, edits: list[Edit]) -> None:
        assert isinstance(self.model, Model)
        layer = target.layer
        assert layer is not None
        table: KeyPath = ("network", "layers", layer - 1)
        value = self.model.initial[target]
        if target.kind == "W":
            flip = self.scenario.notation.layout == "in_out"
            written = value.T if flip else value
            found = self.doc.find((*table, "weights"))
            if found is not None and _grid(found, written.shape):
                for edit in edits:
                    r, c = edit.index[::-1] if flip else edit.index
                    self._replace(found.items[r].items[c], _number(written[r, c]))
            elif found is not None:  # { file = …, key = … }
                self._whole(found, written, f"layer {layer}'s weights", "they came from a file")
            else:  # init = "…": the weights in its place
                init = self.doc.entries.get((*table, "init"))
                if init is None:
                    raise SaveError(f"layer {layer}'s weights are not where a scenario gives them")
                self._written_out(layer)
        else:
            found = self.doc.find((*table, "bias"))
            if found is not None and found.kind == "array" and len(found.items) == len(value):
                for edit in edits:
                    self._replace(found.items[edit.index[0]], _number(value[edit.index]))
            elif found is not None:  # one number for every unit, or a file
                self._whole(found, value, f"layer {layer}'s bias", "")
            else:  # the default, 0: the bias after the layer's header
                header = self.doc.headers.get(table)
                if header is None:
                    raise SaveError(f"layer {layer} is written inline: its bias cannot be added to it")
                self.changes.append((header, header, f"bias = {_array(value)}\n"))

    def _written_out(self, layer: int) -> None:
        """Layer `layer`'s weights, drawn by its init, written out in its place."""
        assert isinstance(self.model, Model)
        table: KeyPath = ("network", "layers", layer - 1)
        init = self.doc.entries.get((*table, "init"))
        if init is None:
            raise SaveError(f"layer {layer}'s weights are not where a scenario gives them")
        W = self.model.initial[Name("W", layer)]
        written = W.T if self.scenario.notation.layout == "in_out" else W
        self._size(written, f"layer {layer}'s weights")
        self.changes.append((init.key, init.value.end, f"weights = {_array(written)}"))
        scale = self.doc.entries.get((*table, "scale"))
        if scale is not None:
            self.changes.append((scale.key, scale.end, ""))
        self.notes.append(f"layer {layer}'s weights are written out whole in place of its init "
                          f"({self.doc.text[init.value.start:init.value.end]})")
        self.drawn.add(layer)

    def draw_again(self) -> None:
        """The layers after one written out whole whose init draws from the seed's generator:
        written out too, since the generator would now draw theirs first."""
        if not self.drawn:
            return
        assert isinstance(self.model, Model)
        for layer in range(min(self.drawn) + 1, self.model.depth + 1):
            init = self.doc.entries.get(("network", "layers", layer - 1, "init"))
            if layer not in self.drawn and init is not None and "zeros" not in self.doc.text[init.value.start:
                                                                                              init.value.end]:
                self._written_out(layer)

    # --- changes --------------------------------------------------------------------------

    def _replace(self, found: Value, text: str) -> None:
        self.changes.append((found.start, found.end, text))

    def _whole(self, found: Value, values: Array, what: str, why: str) -> None:
        """The value written out whole in place of what was there."""
        self._size(values, what)
        self._replace(found, _array(values))
        if why:
            self.notes.append(f"{what} are written out whole ({why})")
        if found.comment:
            self.notes.append(f"the comments inside {what} are not kept")

    def _size(self, values: Array, what: str) -> None:
        if values.size > MAX_WRITTEN:
            raise SaveError(f"{what} would be written out whole as {values.size:,} numbers (at most "
                            f"{MAX_WRITTEN:,} are): leave that edit out to save the others (R restarts without "
                            "the edits)")

    def relocate(self, folder: Path) -> None:
        """Paths to files, relative to the original's folder, made relative to `folder`."""
        here = self.scenario.path.parent.resolve()
        there = folder.resolve()
        if here == there:
            return
        paths = [("data", "file")] + [(*("network", "layers", k), part, "file")
                                      for k in range(len(getattr(self.model, "layers", ()))) for part in
                                      ("weights", "bias")]
        moved = False
        for path in paths:
            found = self.doc.find(path)
            if found is None or found.kind != "string":
                continue
            old = tomllib.loads(f"x = {self.doc.text[found.start:found.end]}")["x"]
            if os.path.isabs(old):
                continue
            try:
                new = os.path.relpath(here / old, there)
            except ValueError:  # another drive
                new = str(here / old)
            self._replace(found, json.dumps(new.replace(os.sep, "/"), ensure_ascii=False))
            moved = True
        if moved:
            self.notes.append("the paths to its files are relative to the new file's folder")


def _check(scenario: Scenario, edits: Sequence[Edit], text: str, destination: Path) -> None:
    """Read the text back as stepnet reads a scenario, from the folder it goes to: it must
    load, and hold exactly the edited values."""
    model, data = apply(scenario.model, scenario.data, edits)
    # beside where it goes, so that the paths to its files read as they will
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=destination.parent, prefix=".stepnet-",
                                     suffix=".toml", delete=False) as scratch:
        scratch.write(text)
    try:
        back = scenario_file.load(scratch.name)
    except ScenarioError as e:
        raise SaveError(f"the edited scenario would not open: {str(e).replace(scratch.name, destination.name)}") \
            from None
    finally:
        os.unlink(scratch.name)
    same = (all(np.array_equal(a, back.model.initial_state()[n]) for n, a in model.initial_state().items())
            and np.array_equal(data.inputs, back.data.inputs) and np.array_equal(data.targets, back.data.targets)
            and (model.optimizer is None or (back.model.optimizer is not None
                 and model.optimizer.learning_rate == back.model.optimizer.learning_rate)))
    if not same:
        raise SaveError("the edited scenario does not read back as the edited run: not saved")


def _grid(found: Value, shape: tuple[int, ...]) -> bool:
    """Whether an array is written as rows of numbers of that shape."""
    return (found.kind == "array" and len(found.items) == shape[0]
            and all(row.kind == "array" and len(row.items) == shape[1] for row in found.items))


def _number(x: float) -> str:
    """The shortest text that reads back as exactly x."""
    return repr(float(x))


def _array(values: Array) -> str:
    """Numbers as TOML writes them: a row on a line of its own where the whole is long."""
    if values.ndim == 1:
        return "[" + ", ".join(map(_number, values)) + "]"
    rows = [_array(row) for row in values]
    if sum(map(len, rows)) < 80:
        return "[" + ", ".join(rows) + "]"
    return "[\n" + "".join(f"  {row},\n" for row in rows) + "]"


def _dotted(path: KeyPath) -> str:
    return ".".join(str(part) for part in path)
