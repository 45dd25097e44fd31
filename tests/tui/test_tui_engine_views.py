"""The engine methods the debugger screen reads: what changed, where gradients come from,
which expectations are due."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stepnet import scenario
from stepnet.engine.expect import due
from stepnet.engine.names import Name

MAZUR = Path(__file__).parents[2] / "stepnet" / "examples" / "mazur.toml"


def test_changed_marks_new_quantities_whole_and_updates_elementwise() -> None:
    s = scenario.load(MAZUR)
    d = s.debugger()
    assert d.changed() is None
    d.step()  # a0
    name, mask = d.changed()
    assert name == Name("a", 0) and mask.all()
    d.goto(d.n_ops)  # the last update: W2 changes everywhere
    name, mask = d.changed()
    assert name == Name("W", 2) and mask.shape == (2, 2) and mask.all()


def test_changed_is_false_where_a_value_is_unchanged() -> None:
    s = scenario.load(MAZUR)
    d = s.debugger()
    d.goto(d.n_ops + 1)  # the batch op clears the iteration: a0 is new again, wholly
    name, mask = d.changed()
    assert name == Name("a", 0) and mask.all()
    d.goto(d.n_ops - 1)
    before = d.values[Name.parse("W2")].copy()
    d.step()
    name, mask = d.changed()
    assert np.array_equal(mask, d.values[name] != before)


def test_start_parameters_are_those_of_the_iteration_start() -> None:
    s = scenario.load(MAZUR)
    d = s.debugger()
    d.goto(d.n_ops)
    assert np.array_equal(d.start_parameters[Name.parse("W1")], s.model.initial[Name.parse("W1")])
    d.goto(d.n_ops + 3)
    assert np.array_equal(d.start_parameters[Name.parse("W1")], d.values[Name.parse("W1")])
    assert not np.array_equal(d.start_parameters[Name.parse("W1")], s.model.initial[Name.parse("W1")])


def test_due_checks_each_expectation_where_its_quantity_is_produced() -> None:
    s = scenario.load(MAZUR)
    d = s.debugger()
    seen = {}
    for _ in range(2 * d.n_ops):
        d.step()
        for outcome in due(d, s.expectations):
            seen[outcome.expectation.label] = (str(d.last_op.output), outcome.ok)
    assert set(seen) == {e.label for e in s.expectations}
    assert all(ok for _, ok in seen.values())
    assert seen["a1 @ iteration 1"][0] == "a1"
    assert seen["loss @ iteration 2"][0] == "loss"


def test_checkable_grows_through_the_iteration_and_matches_check() -> None:
    from stepnet.engine.expect import check, checkable

    s = scenario.load(MAZUR)
    d = s.debugger()
    assert checkable(d, s.expectations) == {}
    d.goto(3)  # a0, z1, a1: the a1 figure can be checked, nothing else
    assert [str(s.expectations[i].name) for i in checkable(d, s.expectations)] == ["a1"]
    d.goto(d.n_ops)
    seen = checkable(d, s.expectations)
    final = check(s.debugger(), s.expectations)
    assert sorted(seen) == [i for i, e in enumerate(s.expectations) if e.iteration == 1]
    assert all(seen[i].error == final[i].error for i in seen)
