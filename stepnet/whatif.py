"""What-if edits saved as a scenario of their own: the original file's text with the values
changed in place — an element of a weight matrix, a bias, an input, a target, the learning
rate, a graph's leaf — so that its comments, its order and its layout stay. A value that is
not written out where an element can be changed (`init = "he"`, a bias of one number for the
layer, weights from a file, class labels) is written out whole, and that is said; a path to
a file is made relative to the new file's folder. The description and the [[expect]] figures
stay, for comparison, and a comment at the top says the edited run may contradict them.

The new file is written atomically and never over an existing one; the original is never
touched. It is read back before it is written, as any scenario is read: what is saved is a
scenario stepnet opens, holding exactly the edited values.
"""

from __future__ import annotations

import contextlib
import copy
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stepnet import scenario as scenario_file
from stepnet.engine.edits import A0, Edit, apply
from stepnet.engine.graph import Graph
from stepnet.engine.model import Model
from stepnet.engine.names import TARGETS, Name
from stepnet.errors import ScenarioError
from stepnet.fields import string_text
from stepnet.files import target as file_target
from stepnet.files import why_not_written, write_atomically
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
        return _save(scenario, edits, file_target(destination))
    except OSError as e:  # it exists, a link or a folder, the folder read-only or full, …
        raise SaveError(why_not_written(destination, e, "choose another name")) from None


def _save(scenario: Scenario, edits: Sequence[Edit], destination: Path) -> Saved:
    try:
        source = scenario_file.read_text(scenario.path, scenario.limits)
    except ScenarioError as e:
        raise SaveError(str(e)) from None
    writer = _Writer(scenario, edits, read(source))
    text = writer.edited(destination.parent)
    writer.check(text, destination)
    write_atomically(destination, text)
    return Saved(destination, tuple(writer.notes))


class _Writer:
    def __init__(self, scenario: Scenario, edits: Sequence[Edit], doc: Document) -> None:
        self.scenario, self.edits, self.doc = scenario, edits, doc
        self.model, self.data = apply(scenario.model, scenario.data, edits)
        self.original = tomllib.loads(doc.text)
        self.changes: list[tuple[int, int, str]] = []  # (start, end, new text), none overlapping
        #: the values changed, by path: everything else must read as it did
        self.changed: set[KeyPath] = set()
        self.notes: list[str] = []
        self.drawn: set[int] = set()  # the layers whose init is written out as weights
        #: the document's own line ending, for every line written (a Windows file stays CRLF)
        self.newline = "\r\n" if "\r\n" in doc.text.split("\n", 1)[0] + "\n" else "\n"

    def edited(self, folder: Path) -> str:
        """The text with the edits made, for a file in `folder`; what was not changed in place
        is in `notes`."""
        for target in dict.fromkeys(edit.target for edit in self.edits):
            self.write(target)
        self.draw_again()
        self.relocate(folder)
        return self.text()

    def text(self) -> str:
        text = self.doc.text
        for start, end, new in sorted(self.changes, reverse=True):
            text = text[:start] + new + text[end:]
        name = self.scenario.path.name
        last = {(edit.target, edit.index): edit for edit in self.edits}.values()  # each value as it ends
        changed = ", ".join(f"{edit.where()} = {_number(edit.value)}" for edit in last)
        lines = [f"# What-if edits of {name}, saved by stepnet: {changed}"]
        kept = self._kept()
        if kept:  # kept to compare with: the edited run is the original's with a value changed
            lines.append(f"# {kept[0].upper()}{kept[1:]} {name}'s, for its run as written: the edited run may "
                         "contradict them.")
            self.notes.append(f"{kept} the original's, kept to compare with: the edited run may contradict them "
                              "(a comment at the top of the file says so)")
        return "".join(line + self.newline for line in lines) + text

    def _kept(self) -> str:
        """What of the original the edits may make untrue (its description, its [[expect]]
        figures) and `is` or `are`; or nothing."""
        figures = len(self.scenario.expectations)
        kept = [*(["the description"] if self.scenario.description.strip() else []),
                *([f"the {figures} [[expect]] figure{'s' * (figures != 1)}"] if figures else [])]
        return " and ".join(kept) + (" are" if len(kept) > 1 or figures > 1 else " is") if kept else ""

    def write(self, target: Name | None) -> None:
        # each element once, the later edit of it over the earlier: a text is changed only once
        edits = list({edit.index: edit for edit in self.edits if edit.target == target}.values())
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
        self._replace(found, _number(value), path)

    def _data(self, target: Name, edits: list[Edit]) -> None:
        key = "inputs" if target == A0 else "targets"
        path = ("data", key)
        values = self.data.inputs if target == A0 else self.data.targets
        found = self.doc.find(path)
        if found is None:
            raise SaveError(f"the {key} come from a data file: an edit to them cannot be saved in the scenario's text")
        if _grid(found, values.shape):
            for edit in edits:
                row, column = edit.index
                self._replace(found.items[row].items[column], _number(values[row, column]), path)
        else:
            self._whole(found, values, path, f"data.{key}", f"data.{key} are written out whole (they were class "
                                                             "labels)")

    def _parameter(self, target: Name, edits: list[Edit]) -> None:
        assert isinstance(self.model, Model)
        layer = target.layer
        assert layer is not None
        table = _layer_table(layer)
        if target.kind == "W":
            path, written = (*table, "weights"), self._weights(layer)
            found = self.doc.find(path)
            if found is None or not _grid(found, written.shape):
                self._written_out(layer)
                return
            flip = self.scenario.notation.layout == "in_out"
            for edit in edits:
                r, c = edit.index[::-1] if flip else edit.index
                self._replace(found.items[r].items[c], _number(written[r, c]), path)
            return
        path, value, what = (*table, "bias"), self.model.initial[target], f"layer {layer}'s bias"
        found = self.doc.find(path)
        if found is not None and found.kind == "array" and len(found.items) == len(value):
            for edit in edits:
                self._replace(found.items[edit.index[0]], _number(value[edit.index]), path)
        elif found is not None:
            why = "it was one number for the layer" if found.kind == "scalar" else "it came from a file"
            self._whole(found, value, path, what, f"{what} is written out whole, a number per unit ({why})")
        else:  # the default, 0: the bias after the layer's header
            self._not_a_table(path, what)
            header = self.doc.headers.get(table)
            if header is None:
                raise SaveError(f"layer {layer} is written inline: its bias cannot be added to it")
            self._change(header, header, f"bias = {_array(value, self.newline)}{self.newline}", path)
            self.notes.append(f"{what}, 0 for each unit unless given, is written out")

    def _weights(self, layer: int) -> Array:
        """Layer `layer`'s weights as the file lays them out (its notation's layout)."""
        assert isinstance(self.model, Model)
        W = self.model.initial[Name("W", layer)]
        return W.T if self.scenario.notation.layout == "in_out" else W

    def _written_out(self, layer: int) -> None:
        """Layer `layer`'s weights written out whole in place of what gives them: a file, or
        an init (with its scale)."""
        table = _layer_table(layer)
        path, what, written = (*table, "weights"), f"layer {layer}'s weights", self._weights(layer)
        self._not_a_table(path, what)
        found = self.doc.find(path)
        if found is not None:  # { file = …, key = … }
            self._whole(found, written, path, what, f"{what} are written out whole (they came from a file)")
            return
        init = self.doc.entries.get((*table, "init"))
        if init is None:
            raise SaveError(f"{what} are not where a scenario gives them")
        self._size(written, what)
        self._change(init.key, init.value.end, f"weights = {_array(written, self.newline)}", (*table, "init"))
        self.changed.add(path)
        scale = self.doc.entries.get((*table, "scale"))
        if scale is not None:
            self._change(scale.key, scale.end, "", (*table, "scale"))
        self.notes.append(f"{what} are written out whole in place of its init "
                          f"({self.doc.text[init.value.start:init.value.end]})")
        self.drawn.add(layer)

    def _not_a_table(self, path: KeyPath, what: str) -> None:
        if path in self.doc.headers:
            raise SaveError(f"{what} are a table of their own, [{'.'.join(p for p in path if isinstance(p, str))}]: "
                            f"write them in the layer's table ({path[-1]} = {{ file = …, key = … }}) to save an "
                            "edit of them")

    def draw_again(self) -> None:
        """The layers after one written out whole whose init draws from the seed's generator:
        written out too, since the generator would now draw theirs first."""
        if not self.drawn:
            return
        assert isinstance(self.model, Model)
        layers = self.original["network"]["layers"]
        for layer in range(min(self.drawn) + 1, self.model.depth + 1):
            if layer not in self.drawn and layers[layer - 1].get("init") in scenario_file.DRAWN_INITS:
                self._written_out(layer)

    # --- changes --------------------------------------------------------------------------

    def _replace(self, found: Value, text: str, path: KeyPath) -> None:
        self._change(found.start, found.end, text, path)

    def _change(self, start: int, end: int, text: str, path: KeyPath) -> None:
        """The text from `start` to `end` (in the value at `path`) replaced; no two changes may
        overlap, since each is placed by the original's offsets."""
        if self._inside(start, end):
            raise SaveError(f"stepnet would change characters {start}–{end} of {self.scenario.path.name} twice "
                            "(a bug in stepnet): not saved")
        self.changes.append((start, end, text))
        self.changed.add(path)

    def _inside(self, start: int, end: int) -> bool:
        """Whether the text from `start` to `end` overlaps a change already made."""
        return any((start < e and s < end) or s == start == end == e for s, e, _ in self.changes)

    def _whole(self, found: Value, values: Array, path: KeyPath, what: str, note: str) -> None:
        """The value written out whole in place of what was there, and `note` said."""
        self._size(values, what)
        self._replace(found, _array(values, self.newline), path)
        self.notes.append(note)
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
        paths = [("data", "file")] + [(*_layer_table(layer), part, "file")
                                      for layer in range(1, len(getattr(self.model, "layers", ())) + 1)
                                      for part in ("weights", "bias")]
        moved = False
        for path in paths:
            found = self.doc.find(path)
            if found is None or found.kind != "string" or self._inside(found.start, found.end):
                continue  # none, or in a value written out whole: no file is named any more
            old = _at(self.original, path)
            if os.path.isabs(old):
                continue
            try:
                new = os.path.relpath(here / old, there)
            except ValueError:  # another drive
                new = str(here / old)
            self._replace(found, string_text(new.replace(os.sep, "/")), path)
            moved = True
        if moved:
            self.notes.append("the paths to its files are relative to the new file's folder")

    def check(self, text: str, destination: Path) -> None:
        """Read the text as stepnet reads a scenario, as the file it will be (the paths to its
        files read from its folder): it must load, read as the original but at the values
        changed, and hold exactly the edited run's values."""
        try:
            back = scenario_file.load(destination, self.scenario.limits, text=text)
        except ScenarioError as e:
            raise SaveError(f"the edited scenario would not open: {e}") from None
        if _without(tomllib.loads(text), self.changed) != _without(self.original, self.changed):
            raise SaveError("the edited scenario would differ from the original in more than the values changed "
                            "(a bug in stepnet): not saved")
        model, data = self.model, self.data
        same = (all(np.array_equal(a, back.model.initial_state()[n]) for n, a in model.initial_state().items())
                and np.array_equal(data.inputs, back.data.inputs) and np.array_equal(data.targets, back.data.targets)
                and (model.optimizer is None or (back.model.optimizer is not None
                     and model.optimizer.learning_rate == back.model.optimizer.learning_rate)))
        if not same:
            raise SaveError("the edited scenario does not read back as the edited run: not saved")


def _layer_table(layer: int) -> KeyPath:
    """Where layer `layer` (from 1) is in a scenario."""
    return ("network", "layers", layer - 1)


def _at(doc: Any, path: KeyPath) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _without(doc: dict, paths: set[KeyPath]) -> dict:
    """The document with the values at `paths` left out."""
    doc = copy.deepcopy(doc)
    for *parents, last in paths:
        with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):  # not in this one
            _at(doc, tuple(parents)).pop(last, None)
    return doc


def _grid(found: Value, shape: tuple[int, ...]) -> bool:
    """Whether an array is written as rows of numbers of that shape."""
    return (found.kind == "array" and len(found.items) == shape[0]
            and all(row.kind == "array" and len(row.items) == shape[1] for row in found.items))


def _number(x: float) -> str:
    """The shortest text that reads back as exactly x."""
    return repr(float(x))


def _array(values: Array, newline: str) -> str:
    """Numbers as TOML writes them: a row on a line of its own where the whole is long."""
    if values.ndim == 1:
        return "[" + ", ".join(map(_number, values)) + "]"
    rows = [_array(row, newline) for row in values]
    if sum(map(len, rows)) < 80:
        return "[" + ", ".join(rows) + "]"
    return f"[{newline}" + "".join(f"  {row},{newline}" for row in rows) + "]"


def _dotted(path: KeyPath) -> str:
    return ".".join(str(part) for part in path)
