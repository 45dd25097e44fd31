"""Numeric faults: overflow in exp, log(0), NaN and Inf from training that diverges.

The engine keeps running, `Debugger.fault` names the first operation whose output was not
finite — the same one whether the run went op by op or through the fast path — and
`trace` and `check` report it. Any RuntimeWarning is an error here: nothing may leak.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from stepnet import cli
from stepnet import scenario as scenario_file
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.breakpoints import Condition
from stepnet.engine.debugger import Debugger
from stepnet.engine.losses import EPS
from stepnet.engine.names import Name

pytestmark = pytest.mark.filterwarnings("error")

TEMPLATE = """\
title = "{title}"

[network]
inputs = 2

[[network.layers]]
units = 2
activation = "{hidden}"
weights = {W1}
bias = 0.35

[[network.layers]]
units = 2
activation = "{output}"
weights = {W2}
bias = 0.6

[loss]
kind = "{loss}"

[optimizer]
learning_rate = {lr}
frozen = {frozen}

[data]
inputs = {x}
targets = {y}
{expect}"""

BASE = dict(hidden="sigmoid", output="identity", W1="[[0.15, 0.2], [0.25, 0.3]]", W2="[[0.4, 0.45], [0.5, 0.55]]",
            loss="half_sse", lr="0.5", frozen="[]", x="[[0.05, 0.1]]", y="[[0.01, 0.99]]", expect="")

#: each diverges or overflows in its own way; the fault it must produce, (iteration, output)
SCENARIOS = {
    # ½(p − y)² overflows once the weights are ~1e300: inf, then inf − inf = NaN
    "huge_learning_rate": (dict(lr="1e300"), (2, "loss")),
    # z = a·Wᵀ overflows to inf; σ(inf) = 1 is finite, so only z shows the fault
    "saturated_sigmoid": (dict(W1="[[1e308, 1e308], [-1e308, -1e308]]", x="[[1.0, 1.0]]", output="sigmoid"),
                          (1, "z1")),
    # the same with the overflowing layer frozen: its gradients are never applied
    "saturated_frozen": (dict(W1="[[1e308, 1e308], [-1e308, -1e308]]", x="[[1.0, 1.0]]", output="sigmoid",
                              frozen='["W1", "b1"]'), (1, "z1")),
    # ReLU passes the overflow on: z1 = inf, the gradients inf·0 = NaN
    "relu_overflow": (dict(hidden="relu", W1="[[1e308, 1e308], [0.25, 0.3]]", x="[[1.0, 1.0]]"), (1, "z1")),
    # softmax + cross-entropy driven by a huge step: softmax of ±inf logits is NaN
    "softmax_huge_learning_rate": (dict(output="softmax", loss="cross_entropy", lr="1e307", y="[[0.0, 1.0]]",
                                        W2="[[300.0, 300.0], [-300.0, -300.0]]"), None),
}


def write(tmp_path: Path, name: str = "s", **changes: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(TEMPLATE.format(title=name, **{**BASE, **changes}))
    return path


def load(tmp_path: Path, name: str) -> scenario_file.Scenario:
    return scenario_file.load(write(tmp_path, name, **SCENARIOS[name][0]))


def first_non_finite(d: Debugger, iterations: int) -> tuple[int, str] | None:
    """Step op by op and find, independently of `Debugger.fault`, the first non-finite output."""
    found = None
    for _ in range(iterations * d.n_ops):
        op = d.step()
        if found is None and not np.isfinite(d.values[op.output]).all():
            found = (d.position, str(op.output))
    return found


# --- the math never overflows where it need not -------------------------------------------


def test_sigmoid_and_softmax_do_not_overflow() -> None:
    z = np.array([[-1000.0, 1000.0, -np.inf, np.inf, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = ACTIVATIONS.make("sigmoid").f(z)
        p = ACTIVATIONS.make("softmax").f(np.array([[1000.0, 0.0, -1000.0]]))
    assert a.tolist() == [[0.0, 1.0, 0.0, 1.0, 0.5]]
    assert p.tolist() == [[1.0, 0.0, 0.0]]


@pytest.mark.parametrize("changes", [
    # softmax puts exactly 0 on the target class: −log 0 would be inf
    dict(output="softmax", loss="cross_entropy", W2="[[1000.0, 1000.0], [0.0, 0.0]]", y="[[0.0, 1.0]]"),
    # a saturated sigmoid says exactly 1 for both units, where the first target is 0: log(1 − 1)
    dict(output="sigmoid", loss="binary_cross_entropy", W2="[[1000.0, 1000.0], [1000.0, 1000.0]]", y="[[0.0, 1.0]]"),
], ids=["cross_entropy", "binary_cross_entropy"])
def test_log_of_zero_is_clipped_at_eps(changes: dict[str, str], tmp_path: Path) -> None:
    s = scenario_file.load(write(tmp_path, **changes))
    d = s.debugger()
    d.run_iterations(1)
    p = d.values[Name.parse("a2")][0]
    assert 0.0 in p.tolist() or 1.0 in p.tolist()  # the probability really is exactly 0 or 1
    assert d.values[Name.parse("loss")] == pytest.approx(-math.log(EPS), rel=1e-3)
    assert all(np.isfinite(d.values[Name.parse(name)]).all() for name in ("delta2", "grad_W2", "W1", "W2"))
    assert d.fault is None


# --- the first non-finite operation -----------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_stepping_flags_the_first_non_finite_op_and_keeps_going(name: str, tmp_path: Path) -> None:
    d = load(tmp_path, name).debugger()
    found = first_non_finite(d, 4)
    assert found is not None, "the scenario was meant to produce a NaN or Inf"
    assert (d.fault.position, str(d.fault.op.output)) == found
    assert d.fault.iteration == -(-found[0] // d.n_ops)
    expected = SCENARIOS[name][1]
    if expected:
        assert (d.fault.iteration, str(d.fault.op.output)) == expected
    assert d.position == 4 * d.n_ops  # every op after the fault ran too
    assert str(d.fault.op.output) in d.fault.describe() and f"iteration {d.fault.iteration}" in d.fault.describe()


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_fast_run_flags_the_same_op(name: str, tmp_path: Path) -> None:
    s = load(tmp_path, name)
    stepped = s.debugger()
    first_non_finite(stepped, 4)
    fast = s.debugger()
    fast.run_iterations(4)
    assert (fast.fault.position, fast.fault.op.formula) == (stepped.fault.position, stepped.fault.op.formula)
    assert len(fast.losses) == 4


@pytest.mark.parametrize("name", SCENARIOS)
def test_break_on_nan_stops_at_the_fault(name: str, tmp_path: Path) -> None:
    d = load(tmp_path, name).debugger()
    assert d.continue_([Condition.parse("nan")], limit=4 * d.n_ops)
    assert d.position == d.fault.position
    assert d.last_op is d.fault.op


def test_no_fault_on_a_healthy_run(tmp_path: Path) -> None:
    d = scenario_file.load(write(tmp_path)).debugger()
    d.run_iterations(50)
    assert d.fault is None and np.isfinite(d.losses).all()


# --- what the commands say --------------------------------------------------------------------


def _strict_json(text: str) -> object:
    """JSON as the standard defines it: NaN and Infinity are not numbers there."""
    def refuse(token: str) -> object:
        raise ValueError(f"{token} is not JSON")
    return json.loads(text, parse_constant=refuse)


def _warning(err: str, iteration: int, output: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: "), err
    assert f"{output} became non-finite" in lines[0] and f"iteration {iteration}" in lines[0]


def test_json_trace_stays_valid_and_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, **SCENARIOS["huge_learning_rate"][0])
    assert cli.main(["trace", "--format", "json", "--iterations", "3", str(path)]) == 0
    out, err = capsys.readouterr()
    doc = _strict_json(out)
    values = {step["output"]: step["value"] for step in doc["steps"] if step["iteration"] == 3}
    assert values["loss"] == "nan"
    assert "nan" in json.dumps(doc["final"])
    _warning(err, 2, "loss")


def test_text_trace_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, **SCENARIOS["saturated_sigmoid"][0])
    assert cli.main(["trace", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "inf" in out
    _warning(err, 1, "z1")


@pytest.mark.parametrize("fast", [True, False], ids=["through the fast path", "op by op"])
def test_check_warns(fast: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The figure is stated for iteration 3, so the first two run through the fast path; a
    figure for iteration 1 is checked op by op."""
    iteration = 3 if fast else 1
    expect = f'[[expect]]\nname = "a1"\niteration = {iteration}\nvalue = [[1.0, 0.0]]\ntolerance = 1e-9\n'
    path = write(tmp_path, **{**SCENARIOS["saturated_sigmoid"][0], "expect": expect})
    assert cli.main(["check", str(path)]) == 0  # σ(±inf) is exactly 1 and 0: the figure holds
    out, err = capsys.readouterr()
    assert "1 figure confirmed" in out
    _warning(err, 1, "z1")


def test_gradient_check_of_a_diverged_network_warns_nothing(recwarn):
    from stepnet.engine.activations import ACTIVATIONS
    from stepnet.engine.gradcheck import gradient_check
    from stepnet.engine.losses import LOSSES
    from stepnet.engine.model import Dataset, Layer, Model, Optimizer
    from stepnet.engine.program import build_program

    model = Model(1, (Layer(1, ACTIVATIONS.make("identity"), bias=False),), LOSSES.make("half_sse"), "mean",
                  Optimizer.of("sgd", 1.0), {Name("W", 1): np.array([[1e200]])})
    program = build_program(model, Dataset(np.ones((1, 1)), np.zeros((1, 1))))
    results = gradient_check(program, model.initial_state(), 1)
    assert not results[0].passes() and not recwarn.list


def test_layer_gradient_norms_of_a_diverged_layer_are_inf_without_a_warning(recwarn):
    from stepnet.engine.metrics import layer_gradient_norms

    norms = layer_gradient_norms({Name.parse("grad_W1"): np.array([[1e200, 1e200]])}, 1)
    assert norms == {1: math.inf} and not recwarn.list
