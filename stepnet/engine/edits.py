"""What-if edits: a value of the scenario changed — an element of a parameter as the run
starts, an input or a target of the data, or the learning rate — and the run recomputed from
its start with it.

An edited run is an ordinary one: its model and data set are the scenario's with the values
replaced (`dataclasses.replace`, read-only arrays as always), and a new `Debugger` steps
through them exactly as through the original. Nothing here special-cases the math.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np

from stepnet.engine.conventions import Glossary, parse_target
from stepnet.engine.graph import Graph
from stepnet.engine.model import RATE, Dataset, Model
from stepnet.engine.names import TARGETS, Name
from stepnet.engine.notation import element
from stepnet.engine.op import frozen
from stepnet.errors import shortened

Array = np.ndarray
M = TypeVar("M", bound=Model | Graph)
A0 = Name("a", 0)
#: what the learning rate is called when it is edited
LEARNING_RATE = RATE.name
RATE_NAMES = (LEARNING_RATE, "lr", "η", "eta")


class EditError(ValueError):
    """What cannot be edited, or how; the message says what can."""


@dataclass(frozen=True)
class Edit:
    """One value set: an element of a parameter as the run starts (`W2`, (0, 0)); of the data,
    `a0` an input or `y` a target, `index` its (row in the data set, column); or the learning
    rate (`target` None)."""

    target: Name | None
    index: tuple[int, ...]
    value: float

    @property
    def data(self) -> bool:
        """Whether it sets a value of the data set (an input, a target)."""
        return self.target in (A0, TARGETS)

    def where(self) -> str:
        """`W2[0,0]`, `sample 3's input 1`, `learning_rate`."""
        if self.target is None:
            return LEARNING_RATE
        if self.data:
            row, column = self.index
            return f"sample {row}'s {'input' if self.target == A0 else 'target'} {column}"
        return element(str(self.target), self.index)

    def same(self, other: Edit) -> bool:
        """Whether both set the same value (the later one replaces the earlier)."""
        return (self.target, self.index) == (other.target, other.index)


def editable(model: Model | Graph) -> list[Name]:
    """What an element of may be edited: the parameters (a graph's leaves), the inputs and the
    targets of a network's data."""
    return [*model.parameter_names(), *((A0, TARGETS) if isinstance(model, Model) else ())]


def parse(text: str, model: Model | Graph, data: Dataset, glossary: Glossary, iteration: int) -> Edit:
    """The value `text` names, with 0 for its new value: an element of a parameter (`W2[0,1]`,
    or the source's name for it, `w6`), of an input or a target as the batch of `iteration`
    holds it (`a0[0,1]`, `y[0,0]`), or the learning rate. An EditError says why not."""
    text = text.strip()
    trains = model.optimizer is not None and bool(model.trained_parameters())
    if text in RATE_NAMES:
        if not trains:
            raise EditError("nothing is trained here, so there is no learning rate to edit")
        return Edit(None, (), 0.0)
    allowed = editable(model)
    example = element(str(allowed[0]), _zeros(model, allowed[0]))
    listed = shortened(", ".join(map(str, allowed)), 120)  # a deep network's hundreds of names
    choices = f"an element of {listed} (such as {example})" + \
        (f", or {LEARNING_RATE}" if trains else "")
    alias = glossary.aliases.get(text)
    if alias is not None:
        if alias.index is None or alias.negated:
            raise EditError(f"{text} is {alias}: give the element it stands for, such as "
                            f"{element(str(alias.name), _zeros(model, alias.name))}")
        name, index = alias.name, alias.index
    else:
        try:
            negated, quantity, parsed = parse_target(text)
        except ValueError:
            raise EditError(f"cannot read {text!r}: expected {choices}") from None
        name, index = Name.parse(quantity), parsed or ()
        if negated:
            raise EditError(f"give the element itself, without a minus: {element(quantity, index)}")
    if name not in allowed:
        raise EditError(f"{name} cannot be edited: it is computed; expected {choices}")
    shape = _shape(model, data, name, iteration)
    if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
        raise EditError(f"{element(str(name), index)} is not an element of {name}, whose shape is "
                        f"{'×'.join(map(str, shape)) or 'a number'}"
                        + (f" in iteration {iteration}'s batch" if name in (A0, TARGETS) else ""))
    if name in (A0, TARGETS):
        index = (int(data.rows(iteration)[index[0]]), index[1])
    return Edit(name, tuple(index), 0.0)


def _shape(model: Model | Graph, data: Dataset, name: Name, iteration: int) -> tuple[int, ...]:
    if name == A0:
        return len(data.rows(iteration)), data.inputs.shape[1]
    if name == TARGETS:
        return len(data.rows(iteration)), data.targets.shape[1]
    return np.shape(model.initial_state()[name])


def _zeros(model: Model | Graph, name: Name) -> tuple[int, ...]:
    """The first element of a parameter, for an example."""
    return (0,) * len(np.shape(model.initial_state().get(name, np.zeros((1, 1)))))


def value(model: Model | Graph, data: Dataset, edit: Edit) -> float:
    """The value `edit` sets, as `model` and `data` have it now (the scenario's, or as edited)."""
    if edit.target is None:
        assert model.optimizer is not None
        return model.optimizer.learning_rate
    if edit.target == A0:
        return float(data.inputs[edit.index])
    if edit.target == TARGETS:
        return float(data.targets[edit.index])
    return float(model.initial_state()[edit.target][edit.index])


def apply(model: M, data: Dataset, edits: Iterable[Edit]) -> tuple[M, Dataset]:
    """The model and data set with the edits made, later edits over earlier ones. An EditError
    refuses values a scenario could not hold (the same rules as its reader's)."""
    parameters: dict[Name, Array] = {}
    inputs, targets = data.inputs, data.targets
    target_edit = None
    for edit in edits:
        if not math.isfinite(edit.value):
            raise EditError(f"{edit.where()}: expected a finite number, got {edit.value}")
        if edit.target is None:
            assert model.optimizer is not None
            if not RATE.allows(edit.value):
                raise EditError(f"{edit.where()}: expected {RATE.expected()}, got {edit.value:g}")
            model = replace(model, optimizer=replace(model.optimizer, learning_rate=edit.value))
        elif edit.target == A0:
            inputs = _set(inputs, edit.index, edit.value)
        elif edit.target == TARGETS:
            targets, target_edit = _set(targets, edit.index, edit.value), edit
        else:
            start = parameters.get(edit.target, model.initial_state()[edit.target])
            parameters[edit.target] = _set(start, edit.index, edit.value)
    if target_edit is not None and isinstance(model, Model) and model.loss is not None \
            and (problem := model.loss.targets_problem(targets)):
        raise EditError(f"{target_edit.where()}: {problem}")
    if parameters and isinstance(model, Model):
        model = replace(model, initial={**model.initial, **parameters})
    elif parameters and isinstance(model, Graph):
        model = replace(model, leaves={**model.leaves, **parameters})
    return model, replace(data, inputs=inputs, targets=targets)


def _set(array: Array, index: tuple[int, ...], x: float) -> Array:
    copy = np.array(array, dtype=float)
    copy[index] = x
    return frozen(copy)


def marks(edits: Sequence[Edit], name: Name, shape: tuple[int, ...], rows: Array) -> Array | None:
    """Per element of `name` (of that shape, in an iteration whose batch is data rows `rows`),
    whether an edit set it: a parameter's element as the run starts, a sample's input or
    target. None if none did."""
    mask = np.zeros(shape, dtype=bool)
    for edit in edits:
        if edit.target != name:
            continue
        if edit.data:
            where = np.flatnonzero(rows == edit.index[0])
            if where.size:
                mask[int(where[0]), edit.index[1]] = True
        else:
            mask[edit.index] = True
    return mask if mask.any() else None


def differs(a: Array | None, b: Array | None) -> Array | None:
    """Per element, whether two runs' values of a quantity differ (NaN as NaN does not); None
    where one run has no value of it, or one of another shape."""
    if a is None or b is None or np.shape(a) != np.shape(b):
        return None
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    return ~same
