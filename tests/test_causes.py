"""`check` says where and why: each cause of the catalogue on a scenario made for it.

Every stated figure here is computed by hand in the test, from Mazur's 2-2-2 network written
out in scalars, with the slip the cause names — never read from stepnet. Each made figure
must be given exactly its cause (the catalogue is tried in order, so no other cause may
claim it first), and the figures that are right, or wrong for another reason, must not.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from conftest import SCENARIOS

from stepnet import scenario
from stepnet.cli import main
from stepnet.engine.causes import CAUSES
from stepnet.engine.expect import Expectation
from stepnet.engine.judge import judge
from stepnet.engine.names import Name
from stepnet.engine.op import Op, frozen
from stepnet.engine.replay import Ancestors, replay

I1, I2, T1, T2 = 0.05, 0.10, 0.01, 0.99
W1 = [[0.15, 0.20], [0.25, 0.30]]
W2 = [[0.40, 0.45], [0.50, 0.55]]
B1, B2, ETA = 0.35, 0.60, 0.5


def σ(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def forward(w1=W1, w2=W2, x=(I1, I2)):
    """Mazur's forward pass in his names."""
    net_h = [w1[j][0] * x[0] + w1[j][1] * x[1] + B1 for j in range(2)]
    out_h = [σ(n) for n in net_h]
    net_o = [w2[k][0] * out_h[0] + w2[k][1] * out_h[1] + B2 for k in range(2)]
    out_o = [σ(n) for n in net_o]
    return net_h, out_h, net_o, out_o


def backward(out_h, out_o, w2=W2, t=(T1, T2), x=(I1, I2)):
    """δ of the outputs and of the hidden units, and every ∂E/∂w, for ½Σ(t − out)²."""
    δ_o = [(out_o[k] - t[k]) * out_o[k] * (1 - out_o[k]) for k in range(2)]
    δ_h = [(δ_o[0] * w2[0][j] + δ_o[1] * w2[1][j]) * out_h[j] * (1 - out_h[j]) for j in range(2)]
    g2 = [[δ_o[k] * out_h[j] for j in range(2)] for k in range(2)]
    g1 = [[δ_h[j] * x[i] for i in range(2)] for j in range(2)]
    return δ_o, δ_h, g1, g2


NET_H, OUT_H, NET_O, OUT_O = forward()
E_TOTAL = 0.5 * ((T1 - OUT_O[0]) ** 2 + (T2 - OUT_O[1]) ** 2)
Δ_O, Δ_H, G1, G2 = backward(OUT_H, OUT_O)


def toml(value) -> str:
    return repr(value) if isinstance(value, float) else "[" + ", ".join(map(toml, value)) + "]"


def made(tmp_path, figures, notation="", inputs=None, targets=None, batch=1):
    """Mazur's scenario with its names and the [[expect]] figures given as (name, value[,
    iteration[, tolerance]])."""
    expects = "".join(
        f'\n[[expect]]\nname = "{f[0]}"\nvalue = {toml(f[1])}\niteration = {f[2] if len(f) > 2 else 1}\n'
        f"tolerance = {f[3] if len(f) > 3 else 1e-9}\n" for f in figures)
    text = f"""title = "made"
[network]
inputs = 2
[[network.layers]]
units = 2
activation = "sigmoid"
weights = {toml(W1)}
bias = {B1}
[[network.layers]]
units = 2
activation = "sigmoid"
weights = {toml(W2)}
bias = {B2}
[loss]
kind = "half_sse"
[optimizer]
learning_rate = {ETA}
frozen = ["b1", "b2"]
[data]
inputs = {toml(inputs or [[I1, I2]])}
targets = {toml(targets or [[T1, T2]])}
batch_size = {batch}
[notation]
{notation}
[notation.names]
net_h1 = "z1[0,0]"
out_h1 = "a1[0,0]"
out_h2 = "a1[0,1]"
net_o1 = "z2[0,0]"
net_o2 = "z2[0,1]"
out_o1 = "a2[0,0]"
out_o2 = "a2[0,1]"
E_total = "loss"
"δ_o1" = "delta2[0,0]"
"δ_h1" = "delta1[0,0]"
"∂E/∂w5" = "grad_W2[0,0]"
{expects}"""
    path = tmp_path / "made.toml"
    path.write_text(text, encoding="utf-8")
    return path


def verdicts(path):
    s = scenario.load(path)
    findings = judge(s.debugger(), s.expectations, s.notation.rounding)
    return {v.expectation.written: v for v in findings.verdicts}, findings, s


def causes(path) -> dict[str, str | None]:
    return {name: v.cause.id if v.cause else None for name, v in verdicts(path)[0].items()}


def test_the_hand_computation_is_mazurs():
    """The scalars above against the figures Mazur prints."""
    assert f"{OUT_H[0]:.9f}" == "0.593269992" and f"{OUT_O[0]:.8f}" == "0.75136507"
    assert f"{E_TOTAL:.9f}" == "0.298371109" and f"{Δ_O[0]:.9f}" == "0.138498562"
    assert f"{G2[0][0]:.9f}" == "0.082167041" and f"{G1[0][0]:.9f}" == "0.000438568"


# --- an error, and the figures computed from it -------------------------------------------

def test_a_wrong_weighted_sum_is_the_root_and_what_follows_from_it_inherits_it(tmp_path, capsys):
    net_o2 = NET_O[1] + 0.1  # the author's arithmetic slip
    out_o2 = σ(net_o2)
    e_total = 0.5 * ((T1 - OUT_O[0]) ** 2 + (T2 - out_o2) ** 2)
    out_h1 = round(OUT_H[0], 4)  # printed to 4 decimals, against a tolerance of 1e-9
    path = made(tmp_path, [("out_h1", out_h1), ("net_o1", NET_O[0]), ("net_o2", net_o2), ("out_o2", out_o2),
                           ("E_total", e_total)])
    by_name, findings, s = verdicts(path)
    assert causes(path) == {"out_h1": "rounding", "net_o1": None, "net_o2": None, "out_o2": "inherited",
                            "E_total": "inherited"}
    assert [by_name[n].ok for n in ("out_h1", "net_o1", "net_o2", "out_o2", "E_total")] == [False, True, False,
                                                                                            False, False]
    assert by_name["out_o2"].inherits_from.written == "net_o2"
    assert by_name["E_total"].inherits_from.written == "out_o2"
    assert [v.expectation.written for v in findings.in_order() if v.root] == ["net_o2"]
    assert findings.summary(s.notation.names) == (
        "1 error: z2[0,1] (net_o2) in iteration 1; 2 figures inherit it; 1 figure differs only by rounding")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == ["1 error: z2[0,1] (net_o2) in iteration 1; 2 figures inherit it; 1 figure differs only "
                        "by rounding",
                        '(the source rounds: [notation] rounding = "stated" confirms what differs only by rounding)',
                        "1 of 5 figures confirmed, 4 contradicted"]
    assert "    inherited from z2[0,1] (net_o2) @ iteration 1: recomputed from the source's value of that figure, " \
           "it matches" in out


def test_a_figure_right_for_a_wrong_input_is_not_inherited(tmp_path):
    """out_o1 does not depend on net_o2: an error in it leaves out_o1 an error of its own."""
    path = made(tmp_path, [("net_o2", NET_O[1] + 0.1), ("out_o1", OUT_O[0] + 0.01)])
    assert causes(path) == {"net_o2": None, "out_o1": None}


# --- rounding -------------------------------------------------------------------------------

def test_a_figure_computed_from_rounded_inputs_is_rounding_and_stands_when_declared(tmp_path):
    out_h = [round(OUT_H[0], 4), round(OUT_H[1], 4)]
    net_o1 = W2[0][0] * out_h[0] + W2[0][1] * out_h[1] + B2  # from the rounded figures, printed to 9 decimals
    assert abs(net_o1 - NET_O[0]) > 1e-6 and round(NET_O[0], 9) != round(net_o1, 9)
    figures = [("out_h1", out_h[0], 1, 1e-9), ("out_h2", out_h[1], 1, 1e-9), ("net_o1", round(net_o1, 9), 1, 1e-9)]
    wrong = [("net_o2", round(W2[1][0] * out_h[0] + W2[1][1] * out_h[1] + B2 + 0.01, 9), 1, 1e-9)]
    plain = made(tmp_path, figures + wrong)
    assert causes(plain) == {"out_h1": "rounding", "out_h2": "rounding", "net_o1": "rounding", "net_o2": None}
    assert not any(v.ok for v in verdicts(plain)[0].values())
    stated = made(tmp_path, figures + wrong, notation='rounding = "stated"')
    by_name, findings, _ = verdicts(stated)
    assert [by_name[n].ok for n in ("out_h1", "out_h2", "net_o1", "net_o2")] == [True, True, True, False]
    assert by_name["net_o1"].cause.id == "rounding" and by_name["net_o2"].cause is None
    assert (findings.confirmed, findings.contradicted) == (3, 1)


def test_a_figure_printed_rounded_from_the_exact_value_is_rounding_whatever_the_source_printed_before(tmp_path):
    """out_h1 printed to 4 decimals, net_o1 to 5 from the exact out_h1: from the printed out_h1
    net_o1 would round to 1.10592, but it is the exact 1.1059059… printed. A slip that does not
    touch net_o1 (updated weights, in iteration 1's forward pass) must not claim it."""
    net_o1 = round(NET_O[0], 5)
    from_printed = W2[0][0] * round(OUT_H[0], 4) + W2[0][1] * OUT_H[1] + B2
    assert (net_o1, round(from_printed, 5)) == (1.10591, 1.10592)
    figures = [("out_h1", round(OUT_H[0], 4)), ("net_o1", net_o1)]
    assert causes(made(tmp_path, figures)) == {"out_h1": "rounding", "net_o1": "rounding"}
    by_name, findings, _ = verdicts(made(tmp_path, figures, notation='rounding = "stated"'))
    assert by_name["net_o1"].ok and findings.contradicted == 0


def test_every_intermediate_rounded_to_the_declared_decimals(tmp_path, capsys):
    r = lambda x: round(x, 3)  # noqa: E731 — the author's rounding, after every step
    out_h = [r(σ(r(n))) for n in NET_H]
    out_o1 = r(σ(r(W2[0][0] * out_h[0] + W2[0][1] * out_h[1] + B2)))
    δ_o1 = r(r(out_o1 - T1) * r(out_o1 * (1 - out_o1)))
    assert δ_o1 != round(Δ_O[0], 3)  # the rounding of the steps shows in the figure
    assert causes(made(tmp_path, [("δ_o1", δ_o1)])) == {"δ_o1": "rounding"}
    path = made(tmp_path, [("δ_o1", δ_o1)], notation="rounding = { decimals = 3 }")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "✓ delta2[0,0] (δ_o1) @ iteration 1" in out and f"exact {Δ_O[0]:.12g}" in out
    assert "1 figure confirmed (1 within the source's rounding)" in out


# --- slips in the algorithm -----------------------------------------------------------------

def mazur_with_updated_weights():
    """The error of Mazur's second round when the first round's hidden deltas read w5…w8
    already updated."""
    _, out_h, _, out_o = forward()
    δ_o = [(out_o[k] - (T1, T2)[k]) * out_o[k] * (1 - out_o[k]) for k in range(2)]
    w2 = [[W2[k][j] - ETA * δ_o[k] * out_h[j] for j in range(2)] for k in range(2)]  # updated first
    δ_h = [(δ_o[0] * w2[0][j] + δ_o[1] * w2[1][j]) * out_h[j] * (1 - out_h[j]) for j in range(2)]
    w1 = [[W1[j][i] - ETA * δ_h[j] * (I1, I2)[i] for i in range(2)] for j in range(2)]
    _, _, _, out_o = forward(w1, w2)
    return 0.5 * ((T1 - out_o[0]) ** 2 + (T2 - out_o[1]) ** 2)


def test_mazurs_second_round_erratum_is_updated_weights(tmp_path, capsys):
    assert f"{mazur_with_updated_weights():.9f}" == "0.291027924"  # the figure the article prints
    text = (SCENARIOS / "mazur.toml").read_text(encoding="utf-8")
    path = tmp_path / "mazur_as_printed.toml"
    path.write_text(text.replace("value = 0.29102777369\ntolerance = 1e-11", "value = 0.291027924\ntolerance = 1e-9"),
                    encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-4:] == [
        "✗ loss (E_total) @ iteration 2              stated 0.291027924  computed 0.291027773694  "
        "|Δ| = 1.50e-07 > 1e-09",
        "    updated-weights: a layer's backward pass used weights already updated in this iteration",
        "1 error: loss (E_total) in iteration 2 (updated-weights)",
        "8 of 9 figures confirmed, 1 contradicted"]


def test_updated_weights_to_the_last_digit(tmp_path):
    path = made(tmp_path, [("E_total", mazur_with_updated_weights(), 2, 1e-14), ("E_total", E_TOTAL, 1, 1e-14)])
    assert [(v.expectation.iteration, v.cause.id if v.cause else None) for v in verdicts(path)[1].verdicts] == [
        (2, "updated-weights"), (1, None)]


def test_missing_derivative(tmp_path):
    δ_o1 = OUT_O[0] - T1  # no σ′(net_o1)
    δ_h1 = Δ_O[0] * W2[0][0] + Δ_O[1] * W2[1][0]  # the hidden layer's, with the right δ_o
    assert causes(made(tmp_path, [("δ_o1", δ_o1), ("δ_h1", δ_h1)])) == {"δ_o1": "missing-derivative",
                                                                        "δ_h1": "missing-derivative"}


def test_derivative_of_the_activation(tmp_path):
    δ_o1 = (OUT_O[0] - T1) * σ(OUT_O[0]) * (1 - σ(OUT_O[0]))  # σ′ taken at out_o1, not net_o1
    assert causes(made(tmp_path, [("δ_o1", δ_o1)])) == {"δ_o1": "derivative-of-activation"}


def test_half(tmp_path):
    e_total = (T1 - OUT_O[0]) ** 2 + (T2 - OUT_O[1]) ** 2  # without the ½
    g_w5 = 2 * (OUT_O[0] - T1) * OUT_O[0] * (1 - OUT_O[0]) * OUT_H[0]
    assert causes(made(tmp_path, [("E_total", e_total), ("∂E/∂w5", g_w5)])) == {"E_total": "half", "∂E/∂w5": "half"}


def test_batch_mean(tmp_path):
    xs, ts = [(I1, I2), (0.3, -0.2), (0.9, 0.4)], [(T1, T2), (0.5, 0.2), (0.8, 0.1)]
    total, g_w5 = 0.0, 0.0
    for x, t in zip(xs, ts):  # summed over the three samples, where the scenario averages
        _, out_h, _, out_o = forward(x=x)
        total += 0.5 * ((t[0] - out_o[0]) ** 2 + (t[1] - out_o[1]) ** 2)
        g_w5 += (out_o[0] - t[0]) * out_o[0] * (1 - out_o[0]) * out_h[0]
    path = made(tmp_path, [("E_total", total), ("∂E/∂w5", g_w5), ("E_total", total / 3, 1, 1e-12)],
                inputs=[list(x) for x in xs], targets=[list(t) for t in ts], batch=3)
    assert [v.cause.id if v.cause else None for v in verdicts(path)[1].verdicts] == ["batch-mean", "batch-mean", None]


def test_sign(tmp_path):
    error_term = (T1 - OUT_O[0]) * OUT_O[0] * (1 - OUT_O[0])  # (t − out)·f′, the negative of δ
    assert causes(made(tmp_path, [("δ_o1", error_term)])) == {"δ_o1": "sign"}


def test_a_declared_negative_is_confirmed(tmp_path):
    path = made(tmp_path, [("Err_o1", (T1 - OUT_O[0]) * OUT_O[0] * (1 - OUT_O[0]))])
    path.write_text(path.read_text(encoding="utf-8").replace('E_total = "loss"', 'E_total = "loss"\nErr_o1 = "-delta2[0,0]"'),
                    encoding="utf-8")
    by_name = verdicts(path)[0]
    assert by_name["Err_o1"].ok and by_name["Err_o1"].outcome.computed == pytest.approx(-Δ_O[0], abs=1e-15)


def test_transposed_weights_and_a_transposed_figure(tmp_path):
    net_h1 = W1[0][0] * I1 + W1[1][0] * I2 + B1  # w1·i1 + w3·i2: W1 read column for row
    grad_w2_in_out = [[G2[k][j] for k in range(2)] for j in range(2)]  # printed fan_in × units, undeclared
    path = made(tmp_path, [("net_h1", net_h1), ("grad_W2", grad_w2_in_out), ("grad_W2", G2, 1, 1e-12)])
    assert [v.cause.id if v.cause else None for v in verdicts(path)[1].verdicts] == ["transposed", "transposed", None]
    declared = made(tmp_path, [("grad_W2", grad_w2_in_out)], notation='layout = "in_out"')
    declared.write_text(declared.read_text(encoding="utf-8").replace(toml(W1), toml([list(c) for c in zip(*W1)]))
                        .replace(toml(W2), toml([list(c) for c in zip(*W2)])), encoding="utf-8")
    assert verdicts(declared)[0]["grad_W2"].ok  # the same figures, with the layout declared


# --- every cause, and only its own figure ---------------------------------------------------

def made_figure(cause: str):
    """The figure each test above makes for a cause: (name, value, iteration)."""
    return {
        "updated-weights": ("E_total", mazur_with_updated_weights(), 2),
        "missing-derivative": ("δ_o1", OUT_O[0] - T1, 1),
        "derivative-of-activation": ("δ_o1", (OUT_O[0] - T1) * σ(OUT_O[0]) * (1 - σ(OUT_O[0])), 1),
        "half": ("E_total", 2 * E_TOTAL, 1),
        "sign": ("δ_o1", -Δ_O[0], 1),
        "transposed": ("net_h1", W1[0][0] * I1 + W1[1][0] * I2 + B1, 1),
    }.get(cause)


@pytest.mark.parametrize("cause", [c.id for c in CAUSES if made_figure(c.id)])
def test_each_slip_is_its_own_cause_and_a_figure_wrong_otherwise_is_none(tmp_path, cause):
    name, value, iteration = made_figure(cause)
    right = {"E_total": E_TOTAL, "δ_o1": Δ_O[0], "net_h1": NET_H[0]}[name]
    path = made(tmp_path, [(name, value, iteration, 1e-12), ("out_h1", OUT_H[0]),
                           (name, right * 1.01 + 0.003, 1, 1e-12)])
    assert [v.cause.id if v.cause else None for v in verdicts(path)[1].verdicts] == [cause, None, None]


def test_a_source_s_update_with_another_learning_rate(tmp_path):
    w2 = [[W2[k][j] - 0.25 * G2[k][j] for j in range(2)] for k in range(2)]  # η = 0.25 where the scenario has 0.5
    assert causes(made(tmp_path, [("W2", w2)])) == {"W2": "learning-rate"}
    assert causes(made(tmp_path, [("W2", [[w2[0][0] + 1e-3, w2[0][1]], w2[1]])])) == {"W2": None}


def test_every_cause_has_a_test_here():
    tested = {"rounding", "inherited", "batch-mean", "learning-rate"} | {c.id for c in CAUSES if made_figure(c.id)}
    # made by an implementation written in tests/test_compare.py, each
    in_code = {"extra-activation", "relu-derivative-on-softmax", "bias-not-summed"}
    assert {c.id for c in CAUSES} == tested | in_code


# --- the JSON ---------------------------------------------------------------------------------

def test_check_json_has_exactly_the_documented_shape(tmp_path, capsys):
    path = made(tmp_path, [("net_o2", NET_O[1] + 0.1), ("E_total", 0.29102777369, 2, 1e-9),
                           ("out_o2", σ(NET_O[1] + 0.1)), ("W2", W2, 1, 1e-9)])
    assert main(["check", str(path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["title", "figures", "confirmed", "contradicted"]
    assert (doc["title"], doc["confirmed"], doc["contradicted"]) == ("made", 1, 3)
    figures = doc["figures"]
    assert all(list(f) == ["name", "quantity", "index", "iteration", "stated", "computed", "tolerance", "ok",
                           "cause", "inherits_from"] for f in figures)
    # in the order the iterations produce them: z2, a2, then W2 at the update, then iteration 2
    assert [(f["name"], f["quantity"], f["index"], f["iteration"]) for f in figures] == [
        ("net_o2", "z2", [0, 1], 1), ("out_o2", "a2", [0, 1], 1), ("W2", "W2", None, 1), ("E_total", "loss", None, 2)]
    assert figures[0]["stated"] == NET_O[1] + 0.1 and figures[0]["computed"] == pytest.approx(NET_O[1], abs=1e-15)
    assert [(f["ok"], f["cause"], f["inherits_from"]) for f in figures[:2]] == [
        (False, None, None), (False, "inherited", "net_o2 @ iteration 1")]
    assert figures[2]["stated"] == W2 and figures[2]["ok"] is False  # the weights after the update differ
    assert figures[3]["tolerance"] == 1e-9 and figures[3]["ok"] is True


# --- replay: the engine that tries each cause, on ops written here --------------------------


def hand_op(output: str, reads: tuple[str, ...], compute) -> Op:
    return Op("operation", "forward", None, Name.parse(output), tuple(map(Name.parse, reads)), output, output,
              output, compute=compute, explainer=lambda v, i, f: [])


# u = 2·x, then v = u·w; x and w are given, no op writes them
TWICE_X_TIMES_W = (hand_op("u", ("x",), lambda x: 2 * x), hand_op("v", ("u", "w"), lambda u, w: u * w))


def stated(name: str, iteration: int, value: float) -> Expectation:
    return Expectation(Name.parse(name), iteration, None, np.array(value), 0.0)


def test_a_figure_of_a_quantity_no_op_writes_is_read_and_put_in_place_after_the_last_op():
    state = {Name.parse("x"): frozen(3.0), Name.parse("w"): frozen(5.0)}
    figures = [stated("w", 1, 7.0), stated("v", 1, 0.0), stated("v", 2, 0.0)]
    seen = replay(TWICE_X_TIMES_W, state, range(1, 3), figures, substitute={0})
    assert seen == {0: 5.0, 1: 2 * 3.0 * 5.0, 2: 2 * 3.0 * 7.0}
    assert replay(TWICE_X_TIMES_W, state, range(1, 3), figures) == {0: 5.0, 1: 2 * 3.0 * 5.0, 2: 2 * 3.0 * 5.0}


def test_a_replay_that_overflows_says_so_by_its_values_not_by_warnings():
    square = (hand_op("u", ("x",), lambda x: x * x),)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seen = replay(square, {Name.parse("x"): frozen(1e200)}, range(1, 2), [stated("u", 1, 0.0)])
    assert seen == {0: math.inf}


def test_ancestors_are_in_their_iterations_only_and_only_as_iteration_op_pairs():
    # u = 2·w, v = u·x, then w = w − v: v in iteration 3 comes of u there, of w from iteration 2,
    # and so of every op of iterations 1 and 2
    ops = (hand_op("u", ("w",), lambda w: 2 * w), hand_op("v", ("u", "x"), lambda u, x: u * x),
           hand_op("w", ("w", "v"), lambda w, v: w - v))
    flows = Ancestors(ops, 3, 1)
    found = {(k, i) for k in range(-1, 6) for i in range(-1, 4) if (k, i) in flows}
    assert found == {(3, 0), (3, 1)} | {(k, i) for k in (1, 2) for i in range(3)}
    assert 1 not in flows and [3, 1] not in flows and "(3, 1)" not in flows


# --- verdicts in words, and whose error a figure inherits ----------------------------------

def test_each_verdict_in_words_and_an_inherited_figure_names_the_error_it_flows_from(tmp_path):
    """out_o1 is wrong on its own and stands where out_o2 does (a2): out_o2 = σ(net_o2 as
    stated) inherits net_o2's error, not out_o1's, which does not flow into it."""
    net_o2 = NET_O[1] + 0.1
    figures = [("out_h1", round(OUT_H[0], 4)), ("net_o1", NET_O[0]), ("net_o2", net_o2), ("out_o1", OUT_O[0] + 0.01),
               ("out_o2", σ(net_o2))]
    by_name, findings, s = verdicts(made(tmp_path, figures))
    names = s.notation.names
    assert {n: v.cause.id if v.cause else None for n, v in by_name.items()} == {
        "out_h1": "rounding", "net_o1": None, "net_o2": None, "out_o1": None, "out_o2": "inherited"}
    assert by_name["out_o2"].inherits_from.written == "net_o2"
    assert by_name["net_o1"].words(names) == ""
    assert by_name["net_o2"].words(names) == by_name["out_o1"].words(names) == \
        "an error: no cause in the catalogue reproduces it"
    assert by_name["out_h1"].words(names) == ("rounding: stepnet's value, or one recomputed from the source's own "
                                              "rounded figures or with every step rounded as it prints them, matches "
                                              "the figure as printed")
    assert by_name["out_o2"].words(names) == ("inherited from z2[0,1] (net_o2) @ iteration 1: recomputed from the "
                                              "source's value of that figure, it matches")
    assert findings.summary(names) == ("2 errors: z2[0,1] (net_o2) in iteration 1, a2[0,0] (out_o1) in iteration 1; "
                                       "1 figure inherits them; 1 figure differs only by rounding")
    declared = verdicts(made(tmp_path, figures, notation='rounding = "stated"'))[0]["out_h1"]
    assert declared.ok and declared.words(names) == ("within the source's rounding, which the scenario declares: the "
                                                     "exact value is shown")


def test_another_learning_rate_is_found_from_the_source_s_own_earlier_figures(tmp_path):
    """out_h1 printed to 4 decimals, and W2 updated with η = 0.25 from it: the update's step is
    along the line stepnet's takes from the source's out_h1, not from its own."""
    out_h = [round(OUT_H[0], 4), OUT_H[1]]
    out_o = [σ(W2[k][0] * out_h[0] + W2[k][1] * out_h[1] + B2) for k in range(2)]
    δ_o = [(out_o[k] - (T1, T2)[k]) * out_o[k] * (1 - out_o[k]) for k in range(2)]
    w2 = [[W2[k][j] - 0.25 * δ_o[k] * out_h[j] for j in range(2)] for k in range(2)]
    assert causes(made(tmp_path, [("out_h1", out_h[0]), ("W2", w2)])) == {"out_h1": "rounding", "W2": "learning-rate"}


def test_a_value_of_another_shape_reproduces_no_figure(tmp_path):
    """Three samples: ∂J/∂b2 not summed is a row per sample, which no figure of b2's shape is."""
    xs, ts = [(I1, I2), (0.3, -0.2), (0.9, 0.4)], [(T1, T2), (0.5, 0.2), (0.8, 0.1)]
    grad_b2 = [0.0, 0.0]
    for x, t in zip(xs, ts):
        _, _, _, out_o = forward(x=x)
        for k in range(2):
            grad_b2[k] += (out_o[k] - t[k]) * out_o[k] * (1 - out_o[k]) / 3
    path = made(tmp_path, [("grad_b2", grad_b2, 1, 1e-12), ("grad_b2", [g + 0.01 for g in grad_b2], 1, 1e-12)],
                inputs=[list(x) for x in xs], targets=[list(t) for t in ts], batch=3)
    assert [(v.ok, v.cause) for v in verdicts(path)[1].verdicts] == [(True, None), (False, None)]


def test_a_figure_exactly_its_tolerance_from_a_cause_s_value_has_that_cause(tmp_path):
    """The inputs 0.05 and 0.10 stated as their negatives plus 2⁻²⁰: each in the binade of its
    input, so it is exactly 2⁻²⁰, the tolerance, from the negative — as a figure at its
    tolerance from stepnet's stands, this one is the sign."""
    tolerance = 2.0**-20
    stated = [-I1 + tolerance, -I2 + tolerance]
    assert [abs(-x - s) for x, s in zip((I1, I2), stated)] == [tolerance, tolerance]
    path = made(tmp_path, [("a0", [stated], 1, tolerance)])
    assert [(v.ok, v.cause.id if v.cause else None) for v in verdicts(path)[1].verdicts] == [(False, "sign")]


# --- the catalogue itself, a graph's figures, and the fused softmax with cross-entropy -----

def test_a_cause_is_added_to_the_end_of_the_catalogue_and_is_what_the_decorator_gives(monkeypatch):
    import stepnet.engine.causes as catalogue

    monkeypatch.setattr(catalogue, "CAUSES", list(CAUSES))

    def recompute(e, f):
        yield None

    added = catalogue.cause("made-here", "a cause made by this test")(recompute)
    assert catalogue.CAUSES[:-1] == CAUSES and catalogue.CAUSES[-1] is added
    assert (added.id, added.explanation, added.recompute) == ("made-here", "a cause made by this test", recompute)


def test_a_graph_s_wrong_figure_is_judged_without_a_network_s_slips(tmp_path):
    text = (SCENARIOS / "micrograd.toml").read_text(encoding="utf-8")
    assert text.count("value = 24.7041\n") == 1
    path = tmp_path / "micrograd.toml"
    path.write_text(text.replace("value = 24.7041\n", "value = 24.9\n"), encoding="utf-8")  # not 24.7 rounded
    by_name = verdicts(path)[0]
    assert not by_name["g"].ok and by_name["g"].cause is None
    assert by_name["grad_a"].ok and by_name["grad_b"].ok


def test_a_fused_softmax_with_cross_entropy_summed_over_the_batch_is_batch_mean(tmp_path):
    """One softmax layer, two samples, the mean cross-entropy: a source that sums instead has
    ∂J/∂W = Σₛ (pₛ − yₛ)·xₛᵀ, the fused δ not divided by B."""
    W, b = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], [0.0, 0.1, -0.1]
    xs, ys = [[1.0, 2.0], [-1.0, 0.5]], [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    grad_W = [[0.0, 0.0] for _ in range(3)]
    for x, y in zip(xs, ys):
        z = [W[j][0] * x[0] + W[j][1] * x[1] + b[j] for j in range(3)]
        p = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
        for j in range(3):
            for i in range(2):
                grad_W[j][i] += (p[j] - y[j]) * x[i]
    path = tmp_path / "softmax.toml"
    path.write_text(f'title = "softmax"\n[network]\ninputs = 2\n[[network.layers]]\nunits = 3\nactivation = "softmax"\n'
                    f"weights = {W}\nbias = {b}\n[loss]\nkind = \"cross_entropy\"\n[optimizer]\nlearning_rate = 0.1\n"
                    f"[data]\ninputs = {xs}\ntargets = {ys}\nbatch_size = 2\n"
                    f'[[expect]]\nname = "grad_W1"\nvalue = {grad_W}\ntolerance = 1e-12\n', encoding="utf-8")
    assert [(v.ok, v.cause.id if v.cause else None) for v in verdicts(path)[1].verdicts] == [(False, "batch-mean")]


def test_an_extra_activation_in_a_hidden_layer_differentiated_through_as_autograd_does(tmp_path):
    """ReLU hidden units fed σ(z1) instead of z1, and differentiated through both: ReLU′ taken
    at σ(z1) (always 1, where ReLU′(z1) is 0 for net_h2 < 0) and σ′(z1) after it."""
    W1, W2, x, t = [[0.15, 0.2], [-0.25, -0.3]], [[0.4, 0.45], [0.5, 0.55]], (0.5, 1.0), (0.01, 0.99)
    z1 = [W1[j][0] * x[0] + W1[j][1] * x[1] + 0.1 for j in range(2)]
    assert z1[1] < 0
    a1 = [max(σ(z), 0.0) for z in z1]
    a2 = [σ(W2[k][0] * a1[0] + W2[k][1] * a1[1] + 0.2) for k in range(2)]
    δ2 = [(a2[k] - t[k]) * a2[k] * (1 - a2[k]) for k in range(2)]
    δ1 = [(δ2[0] * W2[0][j] + δ2[1] * W2[1][j]) * 1.0 * σ(z1[j]) * (1 - σ(z1[j])) for j in range(2)]
    path = tmp_path / "relu_sigmoid.toml"
    path.write_text(f'title = "relu, sigmoid"\n[network]\ninputs = 2\n'
                    f'[[network.layers]]\nunits = 2\nactivation = "relu"\nweights = {W1}\nbias = 0.1\n'
                    f'[[network.layers]]\nunits = 2\nactivation = "sigmoid"\nweights = {W2}\nbias = 0.2\n'
                    f'[loss]\nkind = "half_sse"\n[optimizer]\nlearning_rate = 0.5\n'
                    f"[data]\ninputs = [{list(x)}]\ntargets = [{list(t)}]\n"
                    f'[[expect]]\nname = "delta1"\nvalue = [{δ1}]\ntolerance = 1e-12\n', encoding="utf-8")
    assert [(v.ok, v.cause.id if v.cause else None) for v in verdicts(path)[1].verdicts] == [
        (False, "extra-activation")]
