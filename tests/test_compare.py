"""`stepnet compare`: an implementation's own numbers against stepnet's, and the first mistake.

Each implementation here is plain NumPy written out in the test — a small network trained
the way people write it by hand, recording its values with `stepnet.record.Recorder` — with
one mistake, one line away from the correct code. `compare` must find the first value that
differs, name the mistake's cause there, and call what follows from it inherited; the correct
code must agree everywhere. Nothing expected here is read from stepnet.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from conftest import SCENARIOS, make_debugger, make_graph, make_model

from stepnet import scenario as scenario_file
from stepnet import traces
from stepnet.cli import main
from stepnet.engine.causes import CAUSES
from stepnet.engine.comparison import Comparison, Entry, Record, Tolerance, Unusable, compare, fitted
from stepnet.engine.graph import NO_DATA
from stepnet.engine.names import Name
from stepnet.engine.program import build_program
from stepnet.record import Recorder

RNG = np.random.default_rng(7)
X = RNG.normal(0, 1, (6, 4))
LABELS = np.array([0, 2, 1, 1, 0, 2])
Y = np.eye(3)[LABELS]
INIT = {"W1": RNG.normal(0, 0.7, (5, 4)), "b1": RNG.normal(0, 0.3, 5),
        "W2": RNG.normal(0, 0.7, (3, 5)), "b2": RNG.normal(0, 0.3, 3)}
ETA, B = 0.5, 3

SCENARIO = """title = "4-5-3, written by hand"
[network]
inputs = 4
[[network.layers]]
units = 5
activation = "{hidden}"
weights = {{ file = "init.npz", key = "W1" }}
bias = {{ file = "init.npz", key = "b1" }}
[[network.layers]]
units = 3
activation = "{output}"
weights = {{ file = "init.npz", key = "W2" }}
bias = {{ file = "init.npz", key = "b2" }}
[loss]
kind = "{loss}"
[optimizer]
learning_rate = {eta}
[data]
file = "digits.npz"
batch_size = {batch}
{notation}
"""


def scenario(folder, hidden="relu", output="softmax", loss="cross_entropy", notation=""):
    """The network the implementations below train, with their initial weights and data."""
    np.savez(folder / "init.npz", **INIT)
    np.savez(folder / "digits.npz", inputs=X, targets=LABELS)
    path = folder / "net.toml"
    path.write_text(SCENARIO.format(hidden=hidden, output=output, loss=loss, eta=ETA, batch=B, notation=notation))
    return path


def σ(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def implementation(path, bug=None, hidden="relu", iterations=2, record=None, in_out=False):
    """A 4-5-3 network (ReLU or sigmoid hidden; softmax with cross-entropy, or sigmoid with
    ½Σ(p − y)²) trained by mini-batch gradient descent, as people write it — with `bug`.
    `in_out`: W and ∂J/∂W recorded fan_in × units, as `x @ W + b` code keeps them."""
    W1, b1, W2, b2 = (INIT[k].copy() for k in ("W1", "b1", "W2", "b2"))
    softmax_ce = hidden == "relu"
    rec = Recorder(path)
    for it in range(1, iterations + 1):
        x, y = X[(it - 1) % 2 * B:][:B], Y[(it - 1) % 2 * B:][:B]
        z1 = x @ W1.T + b1
        a1 = np.maximum(z1, 0) if hidden == "relu" else σ(z1)
        z2 = a1 @ W2.T + b2
        if softmax_ce:
            a2 = softmax(np.maximum(z2, 0) if bug in ("extra-activation", "autograd") else z2)
            loss = -np.sum(y * np.log(a2)) / (1 if bug == "batch-mean" else B)
            delta2 = (a2 - y) / (1 if bug == "batch-mean" else B)
            if bug in ("relu-derivative-on-softmax", "autograd"):  # autograd: through the extra ReLU too
                delta2 = delta2 * (z2 > 0)
            if bug == "sign":
                delta2 = -delta2
        else:
            a2 = σ(z2)
            loss = (1 if bug == "half" else 0.5) * np.sum((a2 - y) ** 2) / B
            delta2 = (2 if bug == "half" else 1) * (a2 - y) / B * a2 * (1 - a2)
        grad_W2 = delta2.T @ a1
        grad_b2 = delta2 if bug == "bias-not-summed" else delta2.sum(axis=0)
        if bug == "updated-weights":
            W2 = W2 - ETA * grad_W2
        grad_a1 = delta2 @ W2
        if bug == "missing-derivative":
            delta1 = grad_a1
        elif hidden == "relu":
            delta1 = grad_a1 * (z1 > 0)
        elif bug == "derivative-of-activation":
            delta1 = grad_a1 * σ(a1) * (1 - σ(a1))
        else:
            delta1 = grad_a1 * a1 * (1 - a1)
        grad_W1 = delta1.T @ x
        grad_b1 = delta1 if bug == "bias-not-summed" else delta1.sum(axis=0)
        lr = ETA / B if bug == "learning-rate" else ETA
        if bug == "sign":  # (y − p) is −δ: gradient ascent on it is descent
            lr = -lr
        W1, b1, b2 = W1 - lr * grad_W1, b1 - lr * grad_b1, b2 - lr * grad_b2
        if bug != "updated-weights":
            W2 = W2 - lr * grad_W2
        values = dict(z1=z1, a1=a1, z2=z2, a2=a2, loss=loss, delta2=delta2, grad_W2=grad_W2, grad_b2=grad_b2,
                      grad_a1=grad_a1, delta1=delta1, grad_W1=grad_W1, grad_b1=grad_b1, W1=W1, b1=b1, W2=W2, b2=b2)
        if in_out or bug == "transposed":  # the layout not declared: a mistake
            values.update(W1=W1.T, W2=W2.T, grad_W1=grad_W1.T, grad_W2=grad_W2.T)
        rec.log(it, **{k: v for k, v in values.items() if record is None or k in record})
    return rec.save()


def compared(folder, bug=None, hidden="relu", **kw):
    path = scenario(folder, hidden=hidden, **({} if hidden == "relu" else {"output": "sigmoid", "loss": "half_sse"}))
    trace = implementation(folder / "trace.npz", bug, hidden, **kw)
    s = scenario_file.load(path)
    return traces.comparison(trace, s.debugger().program, s.notation, Tolerance())


def first(comparison):
    e = comparison.first
    return None if e is None else (str(e.record.name), e.record.iteration, e.cause.id if e.cause else None)


# --- the right code, and each mistake ---------------------------------------------------------

@pytest.mark.parametrize("hidden", ["relu", "sigmoid"])
def test_the_correct_implementation_agrees_everywhere(tmp_path, hidden, capsys):
    comparison = compared(tmp_path, None, hidden)
    assert comparison.first is None and len(comparison.entries) == 2 * 16
    assert all(e.ok and e.max_abs_diff < 1e-12 for e in comparison.entries)
    assert main(["compare", str(tmp_path / "net.toml"), str(tmp_path / "trace.npz")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "32 of 32 recorded values agree"


#: each mistake: the network it is made in, and the first value it shows in
MISTAKES = {
    "extra-activation": ("relu", "a2"),
    "relu-derivative-on-softmax": ("relu", "delta2"),
    "bias-not-summed": ("relu", "grad_b2"),
    "learning-rate": ("relu", "W1"),
    "missing-derivative": ("relu", "delta1"),
    "updated-weights": ("relu", "grad_a1"),
    "batch-mean": ("relu", "loss"),
    "sign": ("relu", "delta2"),
    "transposed": ("relu", "grad_W2"),
    "derivative-of-activation": ("sigmoid", "delta1"),
    "half": ("sigmoid", "loss"),
}


def test_every_cause_but_rounding_is_made_here():
    assert {c.id for c in CAUSES} - {"rounding", "inherited"} == set(MISTAKES)


@pytest.mark.parametrize("bug", MISTAKES)
def test_each_mistake_is_found_where_it_shows_first_and_named(tmp_path, bug):
    hidden, where = MISTAKES[bug]
    comparison = compared(tmp_path, bug, hidden)
    assert first(comparison) == (where, 1, bug)
    entries = comparison.entries
    at = entries.index(comparison.first)
    assert all(e.ok for e in entries[:at])  # everything before it agrees


def test_what_follows_from_a_mistake_is_inherited_from_it(tmp_path):
    """ReLU on the logits: the loss, δ², every gradient, the updated weights and iteration 2's
    forward pass up to z2 follow from the wrong a2; iteration 2's a2 is the mistake again."""
    comparison = compared(tmp_path, "extra-activation")
    by = {(str(e.record.name), e.record.iteration): e for e in comparison.entries}
    a2 = by["a2", 1].record
    assert [k for k, e in by.items() if e.ok] == [("z1", 1), ("a1", 1), ("z2", 1)]
    for key in [("loss", 1), ("delta2", 1), ("grad_W2", 1), ("grad_b1", 1), ("W1", 1), ("b2", 1), ("z1", 2),
                ("z2", 2)]:
        assert (by[key].cause.id, by[key].inherits_from) == ("inherited", a2), key
    assert by["a2", 2].cause.id == "extra-activation" and by["a2", 2].inherits_from is None
    assert [(str(e.record.name), e.record.iteration) for e in comparison.roots] == [("a2", 1), ("a2", 2)]


def test_an_extra_activation_differentiated_through_as_autograd_does(tmp_path):
    """PyTorch differentiates through the extra ReLU: δ² is (p − y)/B ⊙ [z² > 0] with that p,
    which no earlier value gives — the same mistake again, not an error of its own."""
    comparison = compared(tmp_path, "autograd")
    assert [(str(e.record.name), e.record.iteration, e.cause.id) for e in comparison.roots][:2] == [
        ("a2", 1, "extra-activation"), ("delta2", 1, "extra-activation")]


def test_a_mistake_found_without_the_values_between(tmp_path):
    """Only the loss and the weights recorded: a2 and δ are recomputed from what is."""
    comparison = compared(tmp_path, "learning-rate", record={"loss", "W1", "b1", "W2", "b2"})
    assert first(comparison) == ("W1", 1, "learning-rate")
    assert [(str(e.record.name), e.record.iteration, e.cause.id) for e in comparison.entries if not e.ok][4] == (
        "loss", 2, "inherited")


def test_the_other_layout_declared_agrees(tmp_path):
    """With layout = "in_out" the W and ∂J/∂W of `x @ W + b` code are read fan_in × units."""
    path = scenario(tmp_path, notation='[notation]\nlayout = "in_out"')
    np.savez(tmp_path / "init.npz", **{k: v.T if k.startswith("W") else v for k, v in INIT.items()})
    trace = implementation(tmp_path / "trace.npz", in_out=True)
    s = scenario_file.load(path)
    comparison = traces.comparison(trace, s.debugger().program, s.notation, Tolerance())
    assert comparison.first is None and len(comparison.entries) == 32


def test_samples_in_columns_are_transposed_not_bad_input(tmp_path, capsys):
    """`W @ X` code keeps a sample per column: its z1 is units × samples."""
    scenario(tmp_path)
    rec = Recorder(tmp_path / "t.npz")
    rec.log(1, z1=INIT["W1"] @ X[:B].T + INIT["b1"][:, None])
    rec.save()
    assert main(["compare", str(tmp_path / "net.toml"), str(tmp_path / "t.npz")]) == 1
    line = capsys.readouterr().out.splitlines()[2]
    assert line.split() == ["✗", "z1", "@", "iteration", "1", "shape", "5×3,", "stepnet's", "3×5", "transposed"]


# --- the command --------------------------------------------------------------------------------

def test_the_report_writes_out_the_first_divergence(tmp_path, capsys):
    scenario(tmp_path)
    implementation(tmp_path / "trace.npz", "relu-derivative-on-softmax")
    assert main(["compare", str(tmp_path / "net.toml"), str(tmp_path / "trace.npz"), "--digits", "6"]) == 1
    out = capsys.readouterr().out.splitlines()
    z2 = X[:B] @ INIT["W1"].T + INIT["b1"]
    z2 = np.maximum(z2, 0) @ INIT["W2"].T + INIT["b2"]
    right = (softmax(z2) - Y[:B]) / B
    mine = right * (z2 > 0)
    gap = np.abs(mine - right)
    s, j = np.unravel_index(np.argmax(gap), gap.shape)
    start = out.index("First divergence: delta2 @ iteration 1, after operation 7 of 18 (backward, layer 2)")
    assert out[start + 1].startswith("  delta2 = (a2 − y)/B")
    assert out[start + 2].startswith("  yours    [[") and out[start + 3].startswith("  stepnet  [[")
    assert out[start + 4] == f"  {int(np.sum(gap > 1e-8 + 1e-5 * np.abs(right)))} of 9 elements differ; the largest:"
    assert out[start + 5].split() == [f"delta2[{s},{j}]", "yours", f"{mine[s, j] + 0.0:.6g}", "stepnet",
                                      f"{right[s, j]:.6g}", "|Δ|", "=", f"{gap[s, j]:.2e}"]
    assert any(line.startswith("  cause: relu-derivative-on-softmax — ") for line in out)
    assert "✗ grad_W2 @ iteration 1" in "\n".join(out)
    assert out[-1] == "5 of 32 recorded values agree, 27 differ"


def test_json_has_exactly_the_documented_shape(tmp_path, capsys):
    scenario(tmp_path)
    implementation(tmp_path / "trace.npz", "bias-not-summed", record={"a2", "delta2", "grad_b2", "b2"})
    assert main(["compare", str(tmp_path / "net.toml"), str(tmp_path / "trace.npz"), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["title", "quantities", "first"]
    assert doc["title"] == "4-5-3, written by hand"
    assert all(list(q) == ["name", "iteration", "ok", "max_abs_diff", "cause", "inherits_from"]
               for q in doc["quantities"])
    assert [(q["name"], q["iteration"], q["ok"], q["cause"]) for q in doc["quantities"]][:4] == [
        ("a2", 1, True, None), ("delta2", 1, True, None), ("grad_b2", 1, False, "bias-not-summed"),
        ("b2", 1, False, "inherited")]
    assert doc["quantities"][2]["max_abs_diff"] is None  # a row per sample: no element to set beside stepnet's
    assert doc["quantities"][3]["inherits_from"] == "grad_b2 @ iteration 1"
    assert doc["first"] == {"name": "grad_b2", "iteration": 1, "cause": "bias-not-summed"}


def test_json_when_all_agree(tmp_path, capsys):
    scenario(tmp_path)
    implementation(tmp_path / "trace.npz", record={"loss"})
    assert main(["compare", str(tmp_path / "net.toml"), str(tmp_path / "trace.npz"), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["first"] is None and [q["ok"] for q in doc["quantities"]] == [True, True]


def test_the_tolerances_decide_what_agrees(tmp_path, capsys):
    scenario(tmp_path)
    rec = Recorder(tmp_path / "t.npz")
    z1 = X[:B] @ INIT["W1"].T + INIT["b1"]
    rec.log(1, z1=z1 * (1 + 2e-6))  # float32-like noise: within the default rtol 1e-5
    rec.save()
    args = ["compare", str(tmp_path / "net.toml"), str(tmp_path / "t.npz")]
    assert main(args) == 0
    assert main([*args, "--rtol", "1e-6"]) == 1
    assert main([*args, "--rtol", "0", "--atol", str(float(np.max(np.abs(z1))) * 3e-6)]) == 0
    capsys.readouterr()


def test_a_source_s_names_and_the_trace_json_of_stepnet_itself(tmp_path, capsys):
    path = scenario(tmp_path, notation='[notation.names]\ndz2 = "delta2"\nout_0 = "a2[0,0]"')
    rec = Recorder(tmp_path / "t.npz")
    z2 = np.maximum(X[:B] @ INIT["W1"].T + INIT["b1"], 0) @ INIT["W2"].T + INIT["b2"]
    rec.log(1, dz2=(softmax(z2) - Y[:B]) / B, out_0=softmax(z2)[0, 0])
    rec.save()
    assert main(["compare", str(path), str(tmp_path / "t.npz")]) == 0
    out = capsys.readouterr().out
    assert "✓ a2[0,0] (out_0) @ iteration 1" in out and "✓ delta2 (dz2) @ iteration 1" in out
    assert main(["trace", str(path), "-n", "2", "--format", "json"]) == 0
    (tmp_path / "t.json").write_text(capsys.readouterr().out)
    assert main(["compare", str(path), str(tmp_path / "t.json")]) == 0
    # every output of the 18 operations, in each of the two iterations
    assert capsys.readouterr().out.splitlines()[-1] == "36 of 36 recorded values agree"


# --- what the screen asks ---------------------------------------------------------------------

def test_the_comparison_answers_per_quantity_and_iteration(tmp_path):
    comparison = compared(tmp_path, "relu-derivative-on-softmax")
    delta2, a2 = Name("delta", 2), Name("a", 2)
    mine = comparison.recorded(delta2, 1)
    z2 = np.maximum(X[:B] @ INIT["W1"].T + INIT["b1"], 0) @ INIT["W2"].T + INIT["b2"]
    np.testing.assert_allclose(mine, (softmax(z2) - Y[:B]) / B * (z2 > 0), rtol=1e-12)
    mask = comparison.differing(delta2, 1, (3, 3))
    np.testing.assert_array_equal(mask, ~np.isclose(mine, (softmax(z2) - Y[:B]) / B, rtol=1e-5, atol=1e-8))
    assert not comparison.differing(a2, 1, (3, 3)).any()
    assert comparison.differing(Name("dact", 1), 1, (3, 5)) is None  # not recorded
    first = comparison.first
    assert comparison.at(delta2, 1) == [first]
    assert comparison.position(first) == 7  # after the 7th op: batch, z1, a1, z2, a2, loss, then δ²
    assert comparison.tolerance == Tolerance()


# --- traces that cannot be compared: one line naming the file and the array, exit 2 ----------

def _npz(**arrays):
    return lambda path: np.savez(path, **arrays)


def _zip_member(name, header_descr, shape):
    """An .npz whose one member declares `header_descr` and `shape` over a few bytes."""
    def make(path):
        import io
        import zipfile
        out = io.BytesIO()
        np.lib.format.write_array_header_1_0(out, {"descr": header_descr, "fortran_order": False, "shape": shape})
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(f"{name}.npy", out.getvalue() + b"not a pickle")
    return make


def _sparse(size):
    """A file of `size` bytes that takes no disk and no time to make."""
    def make(path):
        with open(path, "wb") as f:
            f.truncate(size)
    return make


Z1 = X[:B] @ INIT["W1"].T + INIT["b1"]
BAD_TRACES = {
    "unknown name": ("t.npz", _npz(**{"dz9@1": Z1}), "dz9@1", "no quantity named 'dz9'; this scenario has W1, b1"),
    "close to a name": ("t.npz", _npz(**{"Z1@1": Z1}), "Z1@1", "no quantity named 'Z1' — did you mean 'z1'?"),
    "missing iteration": ("t.npz", _npz(z1=Z1), "z1", "the iteration is missing: name each array NAME@ITERATION, "
                                                      "such as z1@1"),
    "iteration 0": ("t.npz", _npz(**{"z1@0": Z1}), "z1@0", "expected an iteration from 1 to 100,000, got 0"),
    "a shape no cause explains": ("t.npz", _npz(**{"z1@1": Z1[:2, :2]}), "z1@1",
                                  "expected shape 3×5 for z1, got shape 2×2, and no cause in the catalogue explains"),
    "NaN where stepnet has a number": ("t.npz", _npz(**{"z1@1": np.where(np.eye(3, 5, 1) > 0, np.nan, Z1)}), "z1@1",
                                       "holds NaN where stepnet's value is a number (at [0, 1])"),
    "text": ("t.npz", lambda p: p.write_text("z1@1 = 0.5"), "", "is not a readable .npz array file"),
    "one .npy": ("t.npz", lambda p: np.save(open(p, "wb"), Z1), "", "holds a single .npy array"),
    "object array": ("t.npz", _zip_member("z1@1", "|O", (3, 5)), "z1@1",
                     "must hold integers or floats, found dtype |O (object arrays are refused"),
    "too large": ("t.npz", _zip_member("z1@1", "<f8", (100_000, 100_000)), "z1@1",
                  "holds 10,000,000,000 numbers, more than any quantity of this scenario could"),
    "cut short": ("t.npz", _zip_member("z1@1", "<f8", (3, 5)), "z1@1",
                  "`z1@1` (3×5 of <f8, 120 bytes) holds only 12 bytes: the file is cut short or its header is wrong"),
    "empty": ("t.npz", _npz(), "", "holds no arrays"),
    "JSON of 10 GiB": ("t.json", _sparse(10 * 2**30), "", "the file has 10,737,418,240 bytes, more than the limit "
                                                           "of 1,000,000,000 (raise it with --max-data-bytes)"),
    "not JSON": ("t.json", lambda p: p.write_text("{\"steps\": [}"), "", "is not JSON"),
    "JSON without steps": ("t.json", lambda p: p.write_text("{\"title\": \"x\"}"), "", "has no \"steps\" list"),
    "JSON step without a value": ("t.json", lambda p: p.write_text('{"steps": [{"output": "z1", "iteration": 1}]}'),
                                  "steps[0]", "expected a step {\"iteration\", \"output\", \"value\", …}"),
    "JSON unknown output": ("t.json", lambda p: p.write_text('{"steps": [{"output": "q", "iteration": 1, '
                                                             '"value": 1}]}'),
                            "steps[0] (q@1)", "no quantity named 'q'"),
    "JSON value of words": ("t.json", lambda p: p.write_text('{"steps": [{"output": "z1", "iteration": 1, '
                                                             '"value": ["x"]}]}'),
                            "steps[0] (z1@1)", "value: expected a number or nested lists of numbers"),
    "missing": ("t.npz", lambda p: None, "", "no such file"),
    "a folder": ("t.npz", lambda p: p.mkdir(), "", "is not a regular file"),
}


@pytest.mark.parametrize("case", BAD_TRACES)
def test_a_trace_that_cannot_be_compared_is_one_line_naming_the_array(tmp_path, case, capsys):
    name, make, field, message = BAD_TRACES[case]
    scenario(tmp_path)
    make(tmp_path / name)
    assert main(["compare", str(tmp_path / "net.toml"), str(tmp_path / name)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err
    prefix = f"stepnet: {tmp_path / name}: " + (f"{field}: " if field else "")
    assert err.startswith(prefix) and message in err, err


# --- the shipped example: the articles' 784-64-10 network, written correctly and with its bug ----

EXAMPLE = SCENARIOS / "compare"


def test_the_shipped_buggy_code_has_relu_on_the_output_and_the_fixed_code_agrees(capsys):
    args = ["compare", str(EXAMPLE / "mlp.toml")]
    assert main([*args, str(EXAMPLE / "fixed.npz")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "39 of 39 recorded values agree"
    assert main([*args, str(EXAMPLE / "buggy.npz"), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["first"] == {"name": "a2", "iteration": 1, "cause": "extra-activation"}
    assert [q["name"] for q in doc["quantities"] if q["ok"]] == ["z1", "a1", "z2"]
    assert {q["cause"] for q in doc["quantities"] if not q["ok"]} == {"extra-activation", "inherited"}


@pytest.mark.parametrize("code", ["buggy", "fixed"])
def test_the_shipped_traces_are_what_the_shipped_code_records(tmp_path, code):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(EXAMPLE / f"{code}.py"), str(tmp_path / "t.npz")], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("loss after 3 iterations: ")
    with np.load(EXAMPLE / f"{code}.npz") as shipped, np.load(tmp_path / "t.npz") as fresh:
        assert sorted(shipped.files) == sorted(fresh.files) and len(fresh.files) == 13 * 3
        assert all(np.array_equal(shipped[k], fresh[k]) for k in fresh.files)
    # the code after the docstrings: the same but for the one line of the mistake
    buggy, fixed = ((EXAMPLE / f"{c}.py").read_text().split('"""', 2)[2].splitlines() for c in ("buggy", "fixed"))
    assert len(buggy) == len(fixed)
    assert [(b, f) for b, f in zip(buggy, fixed) if b != f] == [("    a2 = softmax(relu(z2))", "    a2 = softmax(z2)")]


def test_the_shipped_weights_are_the_documented_initialisation():
    rng = np.random.default_rng(0)  # as scripts/make_compare_example.py says
    W1 = rng.standard_normal((784, 64)) * np.sqrt(2 / 784)
    W2 = rng.standard_normal((64, 10)) * np.sqrt(2 / 74)
    with np.load(EXAMPLE / "init.npz") as init:
        np.testing.assert_array_equal(init["W1"], W1.astype(np.float32))
        np.testing.assert_array_equal(init["W2"], W2.astype(np.float32))
        assert not init["b1"].any() and not init["b2"].any()
    model = scenario_file.load(EXAMPLE / "mlp.toml").model
    np.testing.assert_array_equal(model.initial[Name("W", 1)], W1.astype(np.float32).astype(np.float64).T)
    assert [(layer.units, layer.activation.name) for layer in model.layers] == [(64, "relu"), (10, "softmax")]


# --- the machinery: what flows into what ------------------------------------------------------

def flows_by_search(ops, iteration, index):
    """Every (iteration, op) that op `index` of `iteration` reads, directly or not: a search
    back through each read's writer, in the same iteration or the one before."""
    seen, todo = set(), [(iteration, index)]
    while todo:
        k, i = todo.pop()
        for name in ops[i].reads:
            before = [j for j in range(i) if ops[j].output == name]
            node = (k, before[-1]) if before else (k - 1, max((j for j, op in enumerate(ops) if op.output == name),
                                                              default=None))
            if node[1] is not None and node[0] >= 1 and node not in seen:
                seen.add(node)
                todo.append(node)
    return seen | {(iteration, index)}


@pytest.mark.parametrize("name", ["mazur", "momentum", "dropout", "micrograd", "adam_by_hand"])
def test_ancestors_are_what_a_search_back_through_the_reads_finds(name):
    from stepnet.engine.replay import Ancestors

    ops = scenario_file.load(SCENARIOS / f"{name}.toml").debugger().program.ops
    for iteration in (1, 2, 5):
        for index in range(len(ops)):
            flows = Ancestors(ops, iteration, index)
            found = {(k, i) for k in range(1, iteration + 1) for i in range(len(ops)) if (k, i) in flows}
            assert found == flows_by_search(ops, iteration, index), (iteration, index)


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.toml")))
def test_stepnet_s_own_json_trace_of_every_example_agrees(name, tmp_path, capsys):
    """Each step's value is compared after its quantity's last writer in its iteration; a
    graph's steps begin with t."""
    assert main(["trace", name, "-n", "2", "--format", "json"]) == 0
    (tmp_path / "t.json").write_text(capsys.readouterr().out)
    steps = len(json.loads((tmp_path / "t.json").read_text())["steps"])
    assert main(["compare", name, str(tmp_path / "t.json")]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(" recorded values agree") and 0 < int(last.split()[0]) <= steps


def test_a_negated_name_records_the_negative(tmp_path):
    """`err2 = "-delta2"`: code that computes (y − p)/B, the negative of δ², agrees."""
    path = scenario(tmp_path, notation='[notation.names]\nerr2 = "-delta2"')
    z2 = np.maximum(X[:B] @ INIT["W1"].T + INIT["b1"], 0) @ INIT["W2"].T + INIT["b2"]
    rec = Recorder(tmp_path / "t.npz")
    rec.log(1, err2=(Y[:B] - softmax(z2)) / B)
    rec.save()
    s = scenario_file.load(path)
    comparison = traces.comparison(tmp_path / "t.npz", s.debugger().program, s.notation, Tolerance())
    assert comparison.first is None
    np.testing.assert_allclose(comparison.recorded(Name("delta", 2), 1), (softmax(z2) - Y[:B]) / B, rtol=1e-12)


def test_a_value_is_compared_as_of_the_iteration_its_last_writer_ran_in():
    d = make_debugger(make_model([3, 4, 2], ["relu", "sigmoid"], l2=0.1))
    program = d.program
    comparison = Comparison(program, Tolerance(), ())
    n = len(program)
    writers = [k for k, op in enumerate(program.ops) if op.output == Name("grad_W", 1)]
    assert len(writers) == 2  # δᵀ·a, then its L2 term
    first, last = writers
    grad_W1, W1, z1 = Name("grad_W", 1), Name("W", 1), Name("z", 1)
    assert comparison.as_of(grad_W1, n + first + 1) is None  # only its first writer has run
    assert comparison.as_of(grad_W1, n + last + 1) == 2
    update = next(k for k, op in enumerate(program.ops) if op.output == W1)
    assert comparison.as_of(W1, 0) is None  # as the scenario gives it: no iteration's
    assert comparison.as_of(W1, n + update) == 1  # in iteration 2 before its update: iteration 1's
    assert comparison.as_of(W1, n + update + 1) == 2
    assert comparison.as_of(z1, n) == 1 and comparison.as_of(z1, n + 1) is None  # cleared by the batch op


# --- compare() itself: records made here, against values worked out here ----------------------

def by_hand(extra_activation=False):
    """Iteration 1 of the network above, worked out here (ReLU on the logits with `extra_activation`)."""
    x, y = X[:B], Y[:B]
    z1 = x @ INIT["W1"].T + INIT["b1"]
    a1 = np.maximum(z1, 0)
    z2 = a1 @ INIT["W2"].T + INIT["b2"]
    a2 = softmax(np.maximum(z2, 0) if extra_activation else z2)
    delta2 = (a2 - y) / B
    return dict(z1=z1, a1=a1, z2=z2, a2=a2, loss=-np.sum(y * np.log(a2)) / B, delta2=delta2,
                grad_b2=delta2.sum(axis=0), b2=INIT["b2"] - ETA * delta2.sum(axis=0))


def record(name, value, index=None, iteration=1, negated=False):
    return Record(Name.parse(name), iteration, index, np.asarray(value, dtype=float), 0.0, f"{name}@{iteration}",
                  name, negated)


def program(folder):
    return scenario_file.load(scenario(folder)).debugger().program


def test_records_are_judged_in_the_order_the_ops_produce_them(tmp_path):
    """Given last first, δ² (from the wrong a2) is still judged after a2, so it inherits."""
    wrong = by_hand(extra_activation=True)
    comparison = compare(program(tmp_path), [record(n, wrong[n]) for n in ("delta2", "a2", "z1")])
    assert [str(e.record.name) for e in comparison.entries] == ["z1", "a2", "delta2"]
    z1, a2, delta2 = comparison.entries
    assert z1.ok and a2.cause.id == "extra-activation"
    assert delta2.cause.id == "inherited" and delta2.inherits_from is a2.record


def test_an_inherited_value_names_the_mistake_that_flows_into_it(tmp_path):
    """a2 wrong, then the loss wrong by a mistake of its own (not divided by B): δ² reads a2 and y,
    not the loss, so it inherits from a2 although the loss differs after a2."""
    wrong = by_hand(extra_activation=True)
    records = [record("a2", wrong["a2"]), record("loss", wrong["loss"] * B), record("delta2", wrong["delta2"])]
    a2, loss, delta2 = compare(program(tmp_path), records).entries
    assert a2.root and loss.root and str(loss.record.name) == "loss"
    assert delta2.cause.id == "inherited" and delta2.inherits_from is a2.record


def test_an_agreeing_value_is_stepnet_s_at_the_position_the_debugger_shows_it(tmp_path):
    """Each entry's `computed` is the value by hand; at its position a debugger holds it."""
    right = by_hand()
    path = scenario(tmp_path)
    trace = implementation(tmp_path / "t.npz", record={"z1", "loss", "b2"}, iterations=2)
    s = scenario_file.load(path)
    comparison = traces.comparison(trace, s.debugger().program, s.notation, Tolerance())
    assert [(str(e.record.name), e.record.iteration, e.ok) for e in comparison.entries] == [
        ("z1", 1, True), ("loss", 1, True), ("b2", 1, True), ("z1", 2, True), ("loss", 2, True), ("b2", 2, True)]
    for e in comparison.entries[:3]:
        np.testing.assert_allclose(e.computed, right[str(e.record.name)], rtol=1e-12)
    d = s.debugger()
    for e in comparison.entries:
        d.goto(comparison.position(e))
        assert d.iteration == e.record.iteration and d.last_op.output == e.record.name
        assert not any(op.output == e.record.name for op in d.program.ops[e.index + 1:])  # its last writer
        np.testing.assert_allclose(e.computed, d.values[e.record.name], rtol=0, atol=0)
    assert compare(s.debugger().program, []).entries == ()


def test_a_value_that_differs_gives_its_largest_difference(tmp_path):
    right, wrong = by_hand(), by_hand(extra_activation=True)
    (a2,) = compare(program(tmp_path), [record("a2", wrong["a2"])]).entries
    gap = np.abs(wrong["a2"] - right["a2"])
    assert not a2.ok and a2.max_abs_diff == pytest.approx(gap.max(), rel=1e-12)
    np.testing.assert_array_equal(a2.differs, gap > 1e-8 + 1e-5 * np.abs(right["a2"]))
    (idx, yours, stepnet, d), *_ = a2.largest(3)
    assert idx == np.unravel_index(np.argmax(gap), gap.shape) and d == pytest.approx(gap.max(), rel=1e-12)
    assert (yours, stepnet) == pytest.approx((wrong["a2"][idx], right["a2"][idx]), rel=1e-12)


def test_a_bias_as_a_row_a_loss_as_a_matrix_and_an_element_in_brackets_are_read_in_stepnet_s_shape(tmp_path):
    right = by_hand()
    records = [record("b2", right["b2"][None, :]), record("loss", [[right["loss"]]]),
               record("a2", [[right["a2"][1, 2]]], index=(1, 2))]
    entries = compare(program(tmp_path), records).entries
    assert [(str(e.record.name), e.ok, e.record.value.shape) for e in entries] == [
        ("a2", True, ()), ("loss", True, ()), ("b2", True, (3,))]


def test_a_sample_s_row_of_one_output_is_read_in_the_batch_s_shape():
    """z2 of a network with one output, recorded as a vector of the batch's samples."""
    model = make_model([3, 4, 1], ["tanh", "identity"])
    d = make_debugger(model, samples=4, batch_size=2)
    x = d.program.data.inputs[:2]
    W1, b1, W2, b2 = (model.initial[Name(k, l)] for k, l in (("W", 1), ("b", 1), ("W", 2), ("b", 2)))
    z2 = np.tanh(x @ W1.T + b1) @ W2.T + b2
    (entry,) = compare(d.program, [record("z2", z2.ravel())]).entries
    assert entry.ok and entry.computed.shape == (2, 1)


def test_a_record_that_cannot_be_compared_says_why_in_stepnet_s_terms(tmp_path):
    right, p = by_hand(), program(tmp_path)
    with pytest.raises(Unusable) as e:
        compare(p, [record("a2", [0.2, 0.3], index=(1, 2))])
    assert str(e.value) == ("expected a number for a2[1,2], got shape 2, and no cause in the catalogue explains "
                            "that shape")
    with pytest.raises(Unusable) as e:
        compare(p, [record("loss", np.nan)])
    assert str(e.value) == "holds NaN where stepnet's value is a number"
    with pytest.raises(Unusable) as e:
        compare(p, [record("a1", np.where(np.eye(3, 5, 2) > 0, np.nan, right["a1"]))])
    assert str(e.value) == "holds NaN where stepnet's value is a number (at [0, 2])"


def test_nan_agrees_with_nan_inf_with_itself_and_a_number_against_nan_differs_infinitely():
    """A graph whose values are NaN (log of −1) and ∞ (exp of 800)."""
    p = build_program(make_graph({"x": -1.0, "w": 800.0}, ["u = log(x)", "v = exp(w)", "f = u * v"]), NO_DATA)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u, v, f = compare(p, [record("u", np.nan), record("v", np.inf), record("f", 0.5)]).entries
    assert (u.ok, u.max_abs_diff, v.ok, v.max_abs_diff) == (True, 0.0, True, 0.0)
    assert not f.ok and f.max_abs_diff == np.inf
    ((idx, yours, stepnet, gap),) = f.largest(5)
    assert (idx, yours, gap) == ((), 0.5, np.inf) and np.isnan(stepnet)
    tolerance = Tolerance(rtol=0.1, atol=0.01)
    got = tolerance.close(np.array([np.nan, np.inf, -np.inf, np.nan, 1.0, 2.0, 2.3]),
                          np.array([np.nan, np.inf, np.inf, 1.0, 1.109, 2.0 + 0.21, 2.0]))
    # |yours − stepnet's| ≤ 0.01 + 0.1·|stepnet's|: 0.109 ≤ 0.1209, 0.21 ≤ 0.231, 0.3 > 0.21
    assert got.tolist() == [True, True, False, False, True, True, False]


def test_of_tied_differences_the_largest_are_the_first():
    stepnet = np.array([1.0] * 20 + [2.0] * 20)  # the differences tie: 1 twenty times, then 2
    rec = record("z1", np.zeros(40))
    entry = Entry(rec, stepnet, 1, False, 2.0, np.ones(40, dtype=bool))
    assert [(i, d) for i, _, _, d in entry.largest(5)] == [((k,), 2.0) for k in range(20, 25)]
    assert [i for i, *_ in entry.largest(25)][20:] == [(k,) for k in range(5)]
    some = Entry(rec, stepnet, 1, False, 2.0, np.arange(40) % 10 == 0)  # four differ: 0, 10 (1) and 20, 30 (2)
    assert [(i, d) for i, _, _, d in some.largest(9)] == [((20,), 2.0), ((30,), 2.0), ((0,), 1.0), ((10,), 1.0)]


def test_a_record_put_in_place_is_turned_back_and_in_stepnet_s_sign():
    rows = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    np.testing.assert_array_equal(record("grad_b2", rows).place(np.zeros((3, 2))), rows.T)
    np.testing.assert_array_equal(record("grad_b2", rows, negated=True).place(np.zeros((3, 2))), -rows.T)
    np.testing.assert_array_equal(record("grad_b2", rows, negated=True).place(np.zeros(6)), -rows)
    np.testing.assert_array_equal(record("z1", rows, negated=True).place(np.zeros((2, 3))), -rows)
    np.testing.assert_array_equal(record("z1", 7.0, index=(1, 0)).place(np.zeros((2, 3))),
                                  [[0, 0, 0], [7, 0, 0]])


def test_fitted_drops_or_adds_only_axes_of_length_one():
    cases = [((1, 3), (3,), (3,)), ((1, 1), (), ()), ((2, 1), (2,), (2,)), ((3,), (1, 3, 1), (1, 3, 1)),
             ((2, 3), (3, 2), (2, 3)), ((2, 2), (4,), (2, 2)), ((1, 2), (2, 1), (2, 1)), ((3,), (3,), (3,))]
    for given, shape, result in cases:
        value = np.arange(np.prod(given), dtype=float).reshape(given)
        got = fitted(value, shape)
        assert got.shape == result and got.ravel().tolist() == value.ravel().tolist(), (given, shape)


def test_what_the_screen_asks_of_recorded_elements():
    """Entries made here: delta2 recorded whole in another shape (not comparable), and its
    element [1,2] under two names, one that differs and one that agrees."""
    d = make_debugger(make_model([3, 4, 2], ["relu", "sigmoid"]))
    delta2 = Name("delta", 2)
    whole = Entry(record("delta2", np.ones((3, 2))), np.zeros((2, 3)), 6, False, None, None)
    off = Entry(record("delta2", 0.5, index=(1, 2)), np.array(0.25), 6, False, 0.25, np.array(True))
    on = Entry(record("delta2", 0.25, index=(1, 2)), np.array(0.25), 6, True, 0.0, np.array(False))
    first = Entry(record("delta2", 0.1, index=(0, 0)), np.array(0.1), 6, True, 0.0, np.array(False))
    comparison = Comparison(d.program, Tolerance(), (whole, off, on, first))
    assert comparison.at(delta2, 1) == [whole, off, on, first] and comparison.at(delta2, 2) == []
    assert comparison.recorded(delta2, 1) is None  # recorded whole, but not comparably
    mask = comparison.differing(delta2, 1, (2, 3))
    assert mask.tolist() == [[False, False, False], [False, False, True]] and not mask.flags.writeable
    agrees = Entry(record("delta2", np.full((2, 3), 0.1)), np.full((2, 3), 0.1), 6, True, 0.0, np.zeros((2, 3), bool))
    after = Comparison(d.program, Tolerance(), (off, agrees))  # an element that differs, then the whole that agrees
    assert after.differing(delta2, 1, (2, 3)).tolist() == [[False, False, False], [False, False, True]]
    a0 = d.program.ops[0].output
    assert str(a0) == "a0" and comparison.as_of(a0, 1) == 1  # the batch op has run: iteration 1's inputs


def test_a_value_does_not_inherit_from_another_record_of_itself():
    """f = u − y recorded twice: first wrong by a mistake of its own, then as computed from the
    recorded u, which agrees (within rtol 1e-5) but differs enough to move the small f beyond
    it. The second is read in the same instant as the first, so it cannot follow from it."""
    p = build_program(make_graph({"x": 1.0, "y": 0.9999}, ["u = 1 * x", "f = u - y"]), NO_DATA)
    u = 1.0 + 5e-6
    u_entry, wrong, second = compare(p, [record("u", u), record("f", 0.7), record("f", u - 0.9999)]).entries
    assert u_entry.ok and not wrong.ok and not second.ok
    assert second.max_abs_diff == pytest.approx(5e-6, rel=1e-6)  # beyond 1e-8 + 1e-5·1e-4
    assert second.cause is None and second.inherits_from is None and second.root
