"""One neuron's story, in the neuron view: the neuron the selected element belongs to (at
first unit 0 of the output layer), for the sample the network shows, as its layer's
operations compute it (`stepnet.engine.neuron`).

A row per incoming weight, and the bias: the input's activation × the weight as the iteration
started = their product (the products and the bias sum to z), then the weight's gradient,
each line of its update and the weight after it. Under them, the neuron's own values: z, its
mask, a, f′(z), the ∂J/∂a the layer above gives it, δ. What the iteration has not computed
yet is blank; the current operation's elements of the neuron are in the output colour, what
it reads in the read colour, the selected element reversed, as in the state.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

import numpy as np

from stepnet.engine.names import Name
from stepnet.engine.neuron import Story, column
from stepnet.engine.notation import element
from stepnet.tui.cells import number
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part, Piece

#: a column of numbers: its width, and the least it shrinks to
CELL, NARROW = 11, 8
#: lines besides the inputs' rows: the heading, the bias, z, the neuron's names and values (and a
#: blank line before them, where there is room)
AROUND = 5
#: a product, of the input's activation and the weight, as the story calls it
PRODUCT = "product"


class Neuron(Part):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"neuron--head", "neuron--read", "neuron--output", "neuron--selected",
                                             "neuron--dim"}

    def shows(self, moment: Moment) -> Hashable:
        if moment.view != "neuron":
            return None  # hidden: nothing to draw
        s = self.session
        story = s.story()
        if story is not None:
            layer = s.debugger.model.layers[story.layer - 1]
            names = s.glossary.names(Name("a", story.layer), (0, story.unit))
            batch = s.debugger.data.batch_size
            self.retitle(f"neuron {story.unit} of layer {story.layer}{f' ({names[0]})' if names else ''} · "
                         f"{layer.activation.name}", f"sample {s.sample} of {batch}" if batch > 1 else "")
        return moment, s.sample

    def draw(self) -> list[Line]:
        s = self.session
        story = s.story()
        if story is None or s.view != "neuron":
            return []
        width, height = self.size
        cell = CELL if width >= 80 else NARROW
        roles, selected = self._roles(story)
        rows = self._rows(story, max(height - AROUND, 1))
        titles = [column(name) for name in self._columns(story, width, cell)]
        if Name("b", story.layer) in story.parameters:
            rows.append("bias")
        label = max((len(self._label(story.weights if isinstance(i, int) else Name("b", story.layer),
                                     (story.unit, i) if isinstance(i, int) else (story.unit,)))
                     for i in rows if isinstance(i, int) or i == "bias"), default=0)  # none: no room, no bias
        a_title = element(str(story.inputs), (s.sample, 99)).replace("99", "i")
        w_title = element(str(story.weights), (story.unit, 99)).replace("99", "i")
        head = [f"{'':<{label}}", f"{a_title:>{cell}}", "  ", f"{w_title:>{cell}}", "  ", f"{PRODUCT:>{cell}}", " │",
                *(f"{t:>{cell}}" for t in titles)]
        lines: list[Line] = [[("".join(head), "neuron--head")]]
        products = (story.products()(s.values[story.inputs], s.start_values[story.weights])[s.sample]
                    if s.computed(story.inputs) else None)  # aᵢ·wᵢ for the sample, once per draw
        for i in rows:
            lines.append(self._row(story, i, label, cell, width, roles, selected, products))
        lines.append(self._z(story, label, cell, roles, selected))
        own = self._own(story, roles, selected)
        return (lines + [[]] + own if len(lines) + len(own) < height else lines + own)[:height]

    # --- what the current operation does to the neuron ------------------------------------

    def _roles(self, story: Story) -> tuple[dict[Name, str], tuple[Name, tuple[int, ...]] | None]:
        """Each quantity's role in the current op (read, output), and the selected element."""
        op = self.session.last_op
        if op is None:
            return {}, None
        roles = {**dict.fromkeys(op.reads, "neuron--read"), op.output: "neuron--output"}
        return roles, (op.output, self.session.selected())

    def _role(self, name: Name, index: tuple[int, ...], roles: dict[Name, str],
               selected: tuple[Name, tuple[int, ...]] | None) -> str:
        if selected == (name, index):
            return "neuron--selected"
        return roles.get(name, "")

    # --- the rows of incoming weights -------------------------------------------------------

    def _rows(self, story: Story, room: int) -> list[int | str]:
        """The inputs shown: all that fit; of more, those whose activation is not 0 first (a
        digit's pixels are mostly 0), then the zeros, then how many are left out."""
        s = self.session
        fan_in = np.shape(s.values[story.weights])[1]
        if fan_in <= room:
            return list(range(fan_in))
        a = s.values.get(story.inputs)
        if a is None:
            return [*range(room - 1), f"… {fan_in - room + 1} more inputs"]
        nonzero = np.asarray(a[s.sample]) != 0
        order = [*map(int, np.flatnonzero(nonzero)), *map(int, np.flatnonzero(~nonzero))]
        shown = order[: room - 1]
        zeros = int((~nonzero).sum() - (~nonzero[shown]).sum())  # of those left out
        return [*shown, f"… {fan_in - len(shown)} more inputs, {zeros} of them with {story.inputs} = 0"]

    def _columns(self, story: Story, width: int, cell: int) -> list[Name]:
        """What is written of W, as columns: its gradient, the update's lines, W after; the
        lines between the first and the last left out where they do not fit."""
        written = list(story.parameters.get(story.weights, ()))
        room = (width - 12 - 3 * cell - 6) // cell
        while len(written) > max(room, 2):
            del written[-2]
        return written

    def _label(self, theta: Name, index: tuple[int, ...]) -> str:
        """`W2[0,1] w6`: the weight, and the source's name for it."""
        names = self.session.glossary.names(theta, index)
        return element(str(theta), index) + (f" {names[0]}" if names else "")

    def _number(self, name: Name, index: tuple[int, ...], cell: int) -> str:
        """The element as the iteration has it so far; blank where it has not computed it."""
        s = self.session
        if not s.computed(name):
            return " " * cell
        return number(np.asarray(s.values[name])[index], s.digits, cell - 1).rjust(cell)

    def _row(self, story: Story, i: int | str, label: int, cell: int, width: int, roles: dict[Name, str],
             selected: tuple[Name, tuple[int, ...]] | None, products: np.ndarray | None) -> Line:
        """Input i's row: its activation × its weight = their product │ what the iteration
        writes of the weight; or the bias's (i is "bias"), whose input is 1; or what is left out.
        `products` are the sample's aᵢ·wᵢ, None before a is computed."""
        s, j = self.session, story.unit
        if isinstance(i, str) and i != "bias":
            return [(i, "neuron--dim")]
        bias = i == "bias"
        theta = Name("b", story.layer) if bias else story.weights
        index: tuple[int, ...] = (j,) if bias else (j, int(i))
        a, sample = story.inputs, (s.sample, 0 if bias else int(i))
        before = np.asarray(s.start_values[theta])[index]
        z = Name("z", story.layer)
        if bias:
            given, product = "1".rjust(cell), number(before, s.digits, cell - 1).rjust(cell)
        else:
            given = self._number(a, sample, cell)
            product = " " * cell if products is None else number(products[int(i)], s.digits, cell - 1).rjust(cell)
        pieces: list[Piece] = [
            (f"{self._label(theta, index):<{label}}", "neuron--dim"),
            (given, "" if bias else self._role(a, sample, roles, selected)), (" ×", "neuron--dim"),
            (number(before, s.digits, cell - 1).rjust(cell), "neuron--read" if theta in roles else ""),
            (" =", "neuron--dim"), (product, "neuron--output" if z in roles and roles[z] == "neuron--output" else ""),
            (" │", "neuron--dim")]
        written = {column(name): name for name in story.parameters.get(theta, ())}
        for title in map(column, self._columns(story, width, cell)):
            name = written.get(title)
            pieces.append(("—".rjust(cell), "neuron--dim") if name is None else
                          (self._number(name, index, cell), self._role(name, index, roles, selected)))
        return pieces

    def _z(self, story: Story, label: int, cell: int, roles: dict[Name, str],
           selected: tuple[Name, tuple[int, ...]] | None) -> Line:
        """z, under the products: their sum."""
        s = self.session
        z, index = Name("z", story.layer), (s.sample, story.unit)
        value = self._number(z, index, cell).strip()
        end = label + 3 * cell + 4  # where the products' column ends
        return [(f"Σ = {element(str(z), index)} = ".rjust(end - len(value)), "neuron--dim"),
                (value, self._role(z, index, roles, selected))]

    # --- the neuron's own values --------------------------------------------------------------

    def _own(self, story: Story, roles: dict[Name, str], selected: tuple[Name, tuple[int, ...]] | None) -> list[Line]:
        """Two lines: the names (the source's beside them; the element is the neuron's, of the
        sample shown), then the values."""
        s, j = self.session, story.unit
        names: Line = []
        values: Line = []
        for name in story.own:
            index = (s.sample, j)
            source = s.glossary.names(name, index)
            title = str(name) + (f" {source[0]}" if source else "") + (" (given)" if name in story.given else "")
            text = self._number(name, index, max(len(title), CELL)).strip()
            room = max(len(title), len(text)) + 3
            names.append((title.ljust(room), "neuron--head"))
            values.append((text.ljust(room), self._role(name, index, roles, selected)))
        return [names, values]
