"""Each expression operation of a computation graph: its value against the formula written out
here, and its local derivative for each operand against central differences of that formula;
then the same through the engine, one graph per operation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import make_graph as graph
from stepnet.engine.debugger import Debugger
from stepnet.engine.expressions import OPERATIONS
from stepnet.engine.gradcheck import gradient_check
from stepnet.engine.graph import NO_DATA
from stepnet.engine.names import Name
from stepnet.engine.program import build_program

#: each operation as a scenario writes it, its formula here, and operands to try
CASES = [
    ("add", "x + y", lambda x, y: x + y, [(-2.0, 5.0), (0.3, -0.7)]),
    ("subtract", "x - y", lambda x, y: x - y, [(-2.0, 5.0), (0.3, -0.7)]),
    ("multiply", "x * y", lambda x, y: x * y, [(-2.0, 5.0), (0.3, -0.7)]),
    ("divide", "x / y", lambda x, y: x / y, [(-2.0, 5.0), (0.3, -0.7)]),
    ("negate", "-x", lambda x: -x, [(-2.0,), (0.3,)]),
    ("power", "x**3", lambda x: x**3, [(-2.0,), (0.3,)]),
    ("power", "x**2", lambda x: x * x, [(-2.0,), (0.3,)]),
    ("power", "x**-1.5", lambda x: 1 / x**1.5, [(0.7,), (2.0,)]),
    ("power", "x**0.5", lambda x: math.sqrt(x), [(0.7,), (2.0,)]),
    ("power", "x**1", lambda x: x, [(-2.0,), (0.3,)]),
    ("power", "x**0", lambda x: 1.0, [(-2.0,), (0.3,)]),
    ("exp", "exp(x)", math.exp, [(-2.0,), (0.3,)]),
    ("log", "log(x)", math.log, [(0.7,), (2.0,)]),
    ("tanh", "tanh(x)", math.tanh, [(-2.0,), (0.3,)]),
    ("sigmoid", "sigmoid(x)", lambda x: 1 / (1 + math.exp(-x)), [(-2.0,), (0.3,)]),
    ("relu", "relu(x)", lambda x: max(x, 0.0), [(-2.0,), (0.3,)]),
]
H = 1e-6


def central(f, args: tuple[float, ...], k: int) -> float:
    up, down = list(args), list(args)
    up[k] += H
    down[k] -= H
    return (f(*up) - f(*down)) / (2 * H)


def test_every_operation_is_tested():
    assert {name for name, *_ in CASES} == set(OPERATIONS)


@pytest.mark.parametrize("name, text, f, points", CASES, ids=[c[1] for c in CASES])
def test_value_and_local_derivatives_of_the_definition(name, text, f, points):
    """The definition alone: value and each ∂out/∂operand from the fields its parameters name."""
    exponent = float(text.split("**")[1]) if "**" in text else None
    op = OPERATIONS.make(name, {"exponent": exponent} if exponent is not None else {})
    for args in points:
        out = float(op.value(*map(np.float64, args)))
        assert out == pytest.approx(f(*args), rel=1e-14, abs=1e-15)
        fields = {**dict(zip(op.fields, map(np.float64, args))), op.result: np.float64(out)}
        for k, partial in enumerate(op.partials):
            local = float(partial.compute(*(fields[r] for r in partial.reads)))
            assert local == pytest.approx(central(f, args, k), rel=1e-7, abs=1e-8), (text, args, k)


@pytest.mark.parametrize("name, text, f, points", CASES, ids=[c[1] for c in CASES])
def test_each_operation_backpropagates_through_the_engine(name, text, f, points):
    """A graph `u = <operation>`, `out = u * c`: the engine's grad of every leaf against central
    differences of the formula here, and against the engine's own gradient check."""
    for args in points:
        leaves = dict(zip("xy", args))
        g = graph(leaves, [f"u = {text}", "out = u * 1.5"])
        program = build_program(g, NO_DATA)
        _, grads, values = program.gradients(g.initial_state(), 1)
        assert float(values[Name.parse("out")]) == pytest.approx(1.5 * f(*args), rel=1e-14, abs=1e-15)
        for k, leaf in enumerate(leaves):
            assert float(grads[Name.parse(leaf)]) == pytest.approx(1.5 * central(f, args, k), rel=1e-7, abs=1e-8)
        assert all(r.passes() for r in gradient_check(program, g.initial_state(), 1))


def test_a_kink_is_counted_not_judged():
    """relu at exactly 0: neither one-sided derivative; the gradient check says so."""
    g = graph({"x": 0.0}, ["f = relu(x) * 2"])
    [check] = gradient_check(build_program(g, NO_DATA), g.initial_state(), 1)
    assert check.at_kink == 1 and check.passes()


def test_a_number_is_an_operand_but_receives_no_gradient():
    g = graph({"x": 3.0}, ["f = 2 * x - 10.0 / x"])
    program = build_program(g, NO_DATA)
    _, grads, values = program.gradients(g.initial_state(), 1)
    assert float(values[Name.parse("f")]) == pytest.approx(2 * 3 - 10 / 3, rel=1e-15)
    assert float(grads[Name.parse("x")]) == pytest.approx(2 + 10 / 9, rel=1e-15)
    written = [str(op.output) for op in program.ops if op.phase == "backward"]
    assert sorted(written) == sorted(["grad_f_1", "grad_f_2", "grad_x", "grad_x"])


def test_the_chain_rule_term_is_written_out_with_its_numbers():
    """cs231n: grad_q += grad_f · z = 1 × (−4) = −4, and the second use of a value adds to the first."""
    g = graph({"x": -2.0, "y": 5.0, "z": -4.0}, ["q = x + y", "f = q * z + q"])
    d = Debugger(g, NO_DATA)
    texts = {}
    while d.position < d.n_ops:
        op = d.step()
        texts.setdefault(str(op.output), []).append((op.formula, d.explain(())))
    assert texts["f_1"] == [("f_1 = q·z", "f_1 = q·z = 3 × (-4) = -12")]
    (first, second) = texts["grad_q"]
    assert first == ("grad_q += grad_f·1", "grad_q = grad_f·1 = 1 × 1 = 1")
    assert second == ("grad_q += grad_f_1·z", "grad_q = grad_q + grad_f_1·z = 1 + 1 × (-4) = -3")
