"""Worked examples in their author's own terms: `[notation]` (layout, names), the parameter
changes update_W / update_b, and scenarios that stop after the forward or backward pass."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from conftest import SCENARIOS
from stepnet import scenario
from stepnet.cli import main
from stepnet.engine.breakpoints import Condition, ConditionError, OpBreakpoint, parse
from stepnet.engine.conventions import Alias, Glossary, Rounding, parse_target, printed_decimals, significant
from stepnet.engine.expect import check
from stepnet.engine.names import Name
from stepnet.errors import ScenarioError
from stepnet.export import markdown

#: a 3-2-1 network the way a source prints it: W fan_in × units, row i the weights out of input i
IN_OUT = """title = "in_out"
[network]
inputs = 3
[[network.layers]]
units = 2
activation = "sigmoid"
weights = [[0.1, 0.4], [-0.2, 0.5], [0.3, -0.6]]
bias = false
[[network.layers]]
units = 1
activation = "identity"
weights = [[0.7], [-0.8]]
bias = false
{tail}
[data]
inputs = [[1.0, 0.5, -1.0], [0.2, -0.3, 0.8]]
{targets}
"""


def σ(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def by_hand(x):
    """The forward pass read the source's way: z_j = Σᵢ xᵢ·W[i][j]."""
    w1, w2 = [[0.1, 0.4], [-0.2, 0.5], [0.3, -0.6]], [[0.7], [-0.8]]
    h = [σ(sum(x[i] * w1[i][j] for i in range(3))) for j in range(2)]
    return h, sum(h[j] * w2[j][0] for j in range(2))


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def forward_only(tmp_path, expects=""):
    return write(tmp_path, IN_OUT.format(tail='[notation]\nlayout = "in_out"\n[notation.names]\nh1 = "a1[0,0]"\n'
                                              'p = "a2"', targets="") + expects)


# --- layout ----------------------------------------------------------------------------------

def test_in_out_weights_are_read_fan_in_by_units(tmp_path):
    d = scenario.load(forward_only(tmp_path)).debugger()
    d.goto(d.n_ops)
    h, p = by_hand([1.0, 0.5, -1.0])
    assert d.values[Name("a", 1)][0] == pytest.approx(h, abs=1e-15)
    assert float(d.values[Name("a", 2)][0, 0]) == pytest.approx(p, abs=1e-15)
    assert d.values[Name("W", 1)].shape == (2, 3)  # stepnet's own: units × fan_in


def test_a_weight_matrix_the_other_way_round_is_told_to_declare_its_layout(tmp_path):
    text = IN_OUT.format(tail='[loss]\nkind = "mse"', targets="targets = [[1.0], [0.0]]")
    with pytest.raises(ScenarioError) as e:
        scenario.load(write(tmp_path, text))
    assert str(e.value).endswith("network.layers[0].weights: expected a 2×3 matrix (units × fan_in: row i holds the "
                                 "weights into neuron i), got 3×2; if the source prints fan_in × units, say so in "
                                 "[notation]: layout = \"in_out\"")


def test_expected_w_shaped_figures_are_read_in_the_declared_layout(tmp_path):
    tail = '[notation]\nlayout = "in_out"\n[loss]\nkind = "half_sse"\n[optimizer]\nlearning_rate = 0.1'
    text = IN_OUT.format(tail=tail, targets="targets = [[1.0], [0.0]]")
    text += "\n[[expect]]\nname = \"W1\"\nvalue = [[0.1, 0.4], [-0.2, 0.5], [0.3, -0.6]]\niteration = 1\ntolerance = 1\n"
    s = scenario.load(write(tmp_path, text))
    assert s.expectations[0].value.tolist() == [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]
    bad = text.replace("value = [[0.1, 0.4], [-0.2, 0.5], [0.3, -0.6]]", "value = [[0.1, 0.4, 0.3], [-0.2, 0.5, 0.6]]")
    with pytest.raises(ScenarioError, match=r"expected a 3×2 array for W1 \(fan_in × units, the layout\), got a 2×3"):
        scenario.load(write(tmp_path, bad))


# --- names -----------------------------------------------------------------------------------

def test_mazur_and_article_use_their_sources_names():
    mazur = scenario.load(SCENARIOS / "mazur.toml")
    names = mazur.notation.names
    assert [f"w{k}" for k in range(1, 9)] == [n for n in names.aliases if n.startswith("w")]
    assert [str(names.aliases[n]) for n in ("out_h1", "net_o1", "E_total", "δ_o1")] == [
        "a1[0,0]", "z2[0,0]", "loss", "delta2[0,0]"]
    assert {e.written for e in mazur.expectations} >= {"E_total", "δ_o1"}
    article = scenario.load(SCENARIOS / "article.toml")
    assert {n: str(a) for n, a in article.notation.names.aliases.items() if n in "xyzp"} == {
        "x": "a0", "y": "a1", "z": "a2", "p": "a3"}
    assert all(f"{n} = " in article.description for n in ("x", "y", "z", "p"))


def test_a_negated_name_states_the_negative(tmp_path):
    text = (SCENARIOS / "mazur.toml").read_text(encoding="utf-8")
    text = text.replace('E_total = "loss"', 'E_total = "loss"\nErr_o1 = "-delta2[0,0]"')
    text += "\n[[expect]]\nname = \"Err_o1\"\nvalue = -0.138498562\ntolerance = 1e-9\n"
    s = scenario.load(write(tmp_path, text))
    outcome = check(s.debugger(), s.expectations)[-1]
    assert outcome.ok and float(outcome.computed) == pytest.approx(-0.138498562, abs=1e-9)


def test_trace_and_export_show_the_sources_names_beside_stepnets(capsys):
    assert main(["trace", "mazur", "--digits", "6"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "                        delta2[0,0] (δ_o1) = 0.138499" in lines
    assert "                        W2[0,0] (w5) = 0.358916" in lines
    assert any(line.endswith("loss (E_total) = (1/B)·Σₛ ℓ(a2ₛ, yₛ),  ℓ(p, y) = ½Σⱼ(pⱼ − yⱼ)²") for line in lines)
    md = markdown(scenario.load(SCENARIOS / "mazur.toml")).splitlines()
    assert "| δ_o1 | `delta2[0,0]` |" in md and "#### 6. `loss` (E_total) — loss" in md
    assert any(line.startswith("z2[0,0] (net_o1) = Σⱼ a1[0,j]·W2[0,j] + b2[0] = ") for line in md)


def test_breakpoints_by_the_sources_names():
    s = scenario.load(SCENARIOS / "mazur.toml")
    d = s.debugger()
    quantities, names = d.program.quantities, s.notation.names
    w5 = parse("w5", quantities, names)
    assert w5 == OpBreakpoint(output=Name("W", 2)) and w5.describe() == "W2 (w5)"
    assert d.continue_([w5], d.n_ops) and d.last_op.output == Name("W", 2)
    d.restart()
    assert d.continue_([parse("δ_o1 > 0.13", quantities, names)], d.n_ops)
    assert d.last_op.output == Name("delta", 2)
    assert not parse("δ_o1 > 0.14", quantities, names).matches(d.last_op, d.values[Name("delta", 2)])
    negated = Condition.parse("Err < -0.13", Glossary({"Err": Alias(Name("delta", 2), (0, 0), negated=True)}))
    assert negated.matches(d.last_op, d.values[Name("delta", 2)])  # −0.1385 < −0.13
    with pytest.raises(ConditionError, match="no quantity named 'w9'"):
        parse("w9", quantities, names)
    with pytest.raises(ConditionError, match="no quantity named 'out_h3', so it would never stop — did you mean"):
        parse("out_h3 > 1", quantities, names)


def test_a_glossary_writes_the_sources_names_beside_stepnets():
    δ = Name("delta", 2)
    names = Glossary({"δ_o1": Alias(δ, (0, 0)), "Err6": Alias(δ, (0, 0), negated=True), "E": Alias(Name.parse("loss"))})
    assert [str(a) for a in names.aliases.values()] == ["delta2[0,0]", "-delta2[0,0]", "loss"]
    assert names.names(δ, (0, 0)) == ["δ_o1", "−Err6"] and names.names(δ) == [] and names.names(δ, (0, 1)) == []
    assert names.beside(δ, (0, 0)) == "delta2[0,0] (δ_o1, −Err6)" and names.beside(δ, (0, 1)) == "delta2[0,1]"
    assert names.annotate("delta2[0,0] = a·b", δ, (0, 0)) == "delta2[0,0] (δ_o1, −Err6) = a·b"
    assert names.annotate("delta2[0,0]", δ, (0, 0)) == "delta2[0,0] (δ_o1, −Err6)"
    # a line about another element, or one merely starting with the same text, is left alone
    assert names.annotate("delta2[0,1] = a·b", δ, (0, 0)) == "delta2[0,1] = a·b"
    assert names.annotate("delta2[0,0]' = 3", δ, (0, 0)) == "delta2[0,0]' = 3"
    assert names.annotate("loss = ½Σ", Name.parse("loss"), ()) == "loss (E) = ½Σ"


def test_a_target_that_is_not_a_quantity_or_element_is_refused_saying_what_is_expected():
    assert parse_target(" −delta2[0, 1] ") == (True, "delta2", (0, 1))
    assert parse_target("W2") == (False, "W2", None)
    for bad in ("delta2[0,]", "2W", "W2[0,0", "delta2[a]"):
        with pytest.raises(ValueError) as e:
            parse_target(bad)
        assert str(e.value) == ('expected a quantity or one of its elements, such as "W2[0,0]", "loss" or '
                                f'"-delta2[0,0]" (the negative), got {bad!r}')


def test_rounding_to_significant_digits_is_formatting_with_g():
    values = [0.012345, -0.012355, 123.45, -98765.4, 7.0, 1e-300, 9.96, 0.5]
    for digits in (1, 2, 3, 5):
        by_g = [float(f"{x:.{digits}g}") for x in values]  # Python's own rounding to significant digits
        got = Rounding("significant", digits).apply(np.array(values), printed=9)
        assert got.tolist() == pytest.approx(by_g, rel=1e-12)
        assert significant(np.array(values), digits).tolist() == pytest.approx(by_g, rel=1e-12)
    assert significant(0.5, 3) == 0.5 and significant([[21.7]], 1).tolist() == [[20.0]]


def test_significant_leaves_zero_and_what_is_not_a_number_as_they_are_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = significant(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1234.5]), 2)
    assert got[:4].tolist() == [0.0, 0.0, np.inf, -np.inf] and np.isnan(got[4]) and got[5] == 1200.0
    assert np.signbit(got[1])


def test_rounding_to_decimals_or_to_those_printed():
    x = np.array([0.123456, -2.71828])
    assert Rounding("decimals", 2).apply(x, printed=4).tolist() == [0.12, -2.72]
    assert Rounding("stated").apply(x, printed=4).tolist() == [0.1235, -2.7183]
    assert Rounding("stated", 2).apply(x, printed=1).tolist() == [0.1, -2.7]
    assert str(Rounding()) == "to the decimals each figure is printed with"
    assert str(Rounding("decimals", 3)) == "to 3 decimals"
    assert str(Rounding("significant", 4)) == "to 4 significant digits"


def test_the_decimals_a_figure_is_printed_with():
    assert [printed_decimals(x) for x in (0.7514, 1e-05, 3, 3.0, -12.5, 1e20, 250.0)] == [4, 5, 0, 0, 1, 0, 0]
    assert printed_decimals([[0.5, 0.25], [np.nan, np.inf]]) == 2 and printed_decimals([]) == 0
    assert printed_decimals([np.nan]) == 0 and printed_decimals([1e20, 3e30]) == 0
    # the first `limit` numbers only
    many = [0.5] * 100 + [0.125]
    assert printed_decimals(many) == 1 and printed_decimals(many, limit=101) == 3


# --- update_W, update_b ----------------------------------------------------------------------

def test_a_named_change_is_the_update_as_an_op_of_its_own(tmp_path, capsys):
    text = (SCENARIOS / "mazur.toml").read_text(encoding="utf-8").replace(
        'E_total = "loss"', 'E_total = "loss"\n"Δw5" = "update_W2[0,0]"')
    grad_w5 = 0.082167041
    text += f'\n[[expect]]\nname = "Δw5"\nvalue = {-0.5 * grad_w5!r}\ntolerance = 1e-9\n'
    path = write(tmp_path, text)
    s = scenario.load(path)
    d = s.debugger()
    assert [str(op.output) for op in d.ops[-4:]] == ["update_W1", "W1", "update_W2", "W2"]
    d.goto(d.n_ops)
    assert float(d.values[Name("update_W", 2)][0, 0]) == pytest.approx(-0.5 * grad_w5, abs=1e-9)
    assert d.values[Name("W", 2)] == pytest.approx(np.array([[0.40, 0.45], [0.50, 0.55]]) + d.values[Name("update_W", 2)])
    assert all(o.ok for o in check(s.debugger(), s.expectations))
    assert main(["trace", str(path)]) == 0
    out = capsys.readouterr().out
    assert "update_W2 = −η·grad_W2   (η = 0.5)" in out and "W2 = W2 + update_W2" in out
    assert len(scenario.load(SCENARIOS / "mazur.toml").debugger().ops) == 18  # unnamed, no change ops


def test_the_change_of_momentum_is_its_velocity(tmp_path):
    text = (SCENARIOS / "momentum.toml").read_text(encoding="utf-8")
    text += '\n[[expect]]\nname = "update_W1"\nvalue = 0\niteration = 2\nindex = [0, 0]\ntolerance = 1e9\n'
    d = scenario.load(write(tmp_path, text)).debugger()
    for _ in range(2):
        start = d.parameters()
        d.run_iterations(1)
        assert d.values[Name("update_W", 1)] == pytest.approx(d.values[Name("v_W", 1)], abs=1e-15)
        assert d.values[Name("W", 1)] - start[Name("W", 1)] == pytest.approx(d.values[Name("update_W", 1)], abs=1e-15)


# --- early stops -----------------------------------------------------------------------------

def test_without_a_loss_an_iteration_ends_after_the_forward_pass(tmp_path, capsys):
    h, p = by_hand([0.2, -0.3, 0.8])
    path = forward_only(tmp_path, f'\n[[expect]]\nname = "p"\nvalue = {p!r}\niteration = 2\ntolerance = 1e-12\n')
    s = scenario.load(path)
    ops = s.debugger().ops
    assert {op.phase for op in ops} == {"forward"} and Name("y") not in s.debugger().program.quantities
    assert ops[0].formula == "a0 = x[batch]"
    d = s.debugger()
    d.run_iterations(2)
    assert d.losses == [] and d.fault is None
    assert main(["check", str(path)]) == 0
    assert main(["trace", str(path), "-n", "2"]) == 0
    assert "a1[0,0] (h1) = " in capsys.readouterr().out
    for command in ("gradcheck", "train"):
        assert main([command, str(path)]) == 2
        assert "needs a [loss]" in capsys.readouterr().err
    assert "- loss: none; an iteration ends after the forward pass" in markdown(s).splitlines()


def test_without_an_optimizer_an_iteration_ends_after_the_backward_pass(tmp_path, capsys):
    text = (SCENARIOS / "mazur.toml").read_text(encoding="utf-8")
    text = text[:text.index("[optimizer]")] + text[text.index("[data]"):]
    text = text[:text.index("# The updated weights")] + (
        '[[expect]]\nname = "W1"\niteration = 2\nvalue = [[0.15, 0.20], [0.25, 0.30]]\ntolerance = 1e-15\n')
    path = write(tmp_path, text)
    d = scenario.load(path).debugger()
    assert d.ops[-1].phase == "backward" and not any(op.phase == "update" for op in d.ops)
    assert main(["check", str(path)]) == 0
    assert main(["gradcheck", str(path)]) == 0
    assert main(["train", str(path)]) == 2
    assert capsys.readouterr().err.endswith("train needs a [loss] and an [optimizer]; this scenario stops after the "
                                            "backward pass (it has no [optimizer])\n")
