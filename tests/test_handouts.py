"""Handouts from `stepnet export`: an exercise whose blanks are honest (a blank result is
written nowhere, nor is anything that would give it back), its answer key holding exactly
those results, and the scopes a slide needs (one iteration, one operation, one neuron)."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from conftest import SCENARIOS

from stepnet import cli, scenario
from stepnet.engine.names import Name

MAZUR = SCENARIOS / "mazur.toml"


def export(capsys, *arguments: str) -> str:
    assert cli.main(["export", *arguments]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def refused(capsys, *arguments: str) -> str:
    """The one line a refused export prints, exit status 2."""
    assert cli.main(["export", *arguments]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("stepnet: ")
    return err


def figures(value: np.ndarray, digits: int = 9) -> set[str]:
    """A value's elements as the export writes them, those of at least five significant digits
    (shorter ones, such as 0.5, may well be written for another reason)."""
    shown = {f"{abs(float(x)):.{digits}g}" for x in np.ravel(value)}
    return {s for s in shown if len(s.replace(".", "").lstrip("0")) >= 5}


def written(number: str, text: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", text) is not None


def mazur_after_one_iteration() -> dict[str, np.ndarray]:
    """Mazur's backward pass and update, computed here from the article's formulas."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    x, y = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    W1, W2 = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])
    h = sig(W1 @ x + 0.35)
    o = sig(W2 @ h + 0.60)
    dact2, dact1 = o * (1 - o), h * (1 - h)
    delta2 = (o - y) * dact2
    grad_a1 = W2.T @ delta2
    delta1 = grad_a1 * dact1
    return {"dact2": dact2, "delta2": delta2, "grad_W2": np.outer(delta2, h), "grad_b2": delta2,
            "grad_a1": grad_a1, "dact1": dact1, "delta1": delta1, "grad_W1": np.outer(delta1, x), "grad_b1": delta1,
            "W1": W1 - 0.5 * np.outer(delta1, x), "W2": W2 - 0.5 * np.outer(delta2, h)}


BLANK_BY_DEFAULT = mazur_after_one_iteration()


@pytest.mark.parametrize("fmt", ["markdown", "html", "latex", "notebook"])
def test_an_exercise_writes_no_blank_result_anywhere_and_its_key_holds_each(fmt, capsys):
    exercise = export(capsys, "mazur", "--exercise", "--format", fmt)
    key = export(capsys, "mazur", "--answers", "--format", fmt)
    if fmt == "notebook":  # the text of its cells
        exercise, key = ("\n".join("".join(c["source"]) for c in json.loads(t)["cells"]) for t in (exercise, key))
    for name, value in BLANK_BY_DEFAULT.items():
        for number in figures(value):
            assert not written(number, exercise), (name, number)
            assert written(number, key), (name, number)
    for given in (0.593269992, 0.75136507, 0.298371109):  # out_h1, out_o1, E_total: the forward pass stays
        assert written(str(given), exercise)


def test_the_exercise_says_what_is_blank_and_each_blank_line_keeps_the_numbers_given(capsys):
    exercise = export(capsys, "mazur", "--exercise")
    assert ("> **Exercise.** The results marked ▢ are for you to compute: `dact2`, `delta2`, `grad_W2`, `grad_b2`, "
            "`grad_a1`, `dact1`, `delta1`, `grad_W1`, `grad_b1`, and `W1`, `W2`, computed from them (they would give "
            "them away).") in exercise
    lines = exercise.splitlines()
    assert "delta2[0,0] (δ_o1) = grad_a2[0,0] × σ′(z2[0,0]) = 0.74136507 × ▢ = ▢" in lines
    assert "W1[0,0] (w1) = W1[0,0] − η·grad_W1[0,0] = 0.15 − 0.5 × ▢ = ▢" in lines
    assert "| **0** | ▢ | ▢ |" in lines
    # the source's figures of blank results are the key's; those of the forward pass are given
    assert "δ_o1 @ iteration 1" not in exercise and "(out_h1)" in exercise
    assert "3 of 3 confirmed." in lines
    key = export(capsys, "mazur", "--answers")
    assert "> ✓ The source states delta2[0,0] (δ_o1) @ iteration 1 = 0.138498562" in key
    assert [line for line in key.splitlines() if line.startswith("#### ")] == [
        "#### 8. `dact2` — derivative of the activation (sigmoid), layer 2",
        "#### 9. `delta2` — delta (∂J/∂z), layer 2",
        "#### 10. `grad_W2` — gradient of the weights, layer 2", "#### 11. `grad_b2` — gradient of the biases, layer 2",
        "#### 12. `grad_a1` — gradient of the layer below, layer 2",
        "#### 13. `dact1` — derivative of the activation (sigmoid), layer 1",
        "#### 14. `delta1` — delta (∂J/∂z), layer 1", "#### 15. `grad_W1` — gradient of the weights, layer 1",
        "#### 16. `grad_b1` — gradient of the biases, layer 1", "#### 17. `W1` — update (sgd), layer 1",
        "#### 18. `W2` — update (sgd), layer 2"]


def test_what_is_computed_from_a_blank_is_blank_to_the_end_and_what_comes_before_is_given(capsys):
    """a1 left blank: z1 before it stays; z2, a2, the loss and every gradient after it would
    give it back, and so would the next iteration's figures from the updated weights."""
    d = scenario.load(MAZUR).debugger()
    d.run_iterations(2)
    exercise = export(capsys, "mazur", "--exercise", "--blank", "out_h1", "-n", "2")  # the source's name for a1[0,0]
    assert "`a1`, and `z2`, `a2`, `loss`, `grad_a2`, `dact2`, `delta2`, `grad_W2`, `grad_b2`, `grad_a1`, " \
           "`dact1`, `delta1`, `grad_W1`, `grad_b1`, `W1`, `W2`, `z1`, computed from them" in exercise
    assert written("0.3775", exercise)  # z1 of the first iteration, from the data and W1 as given
    for name in ("z1", "a1", "loss"):  # the second iteration's, from the updated weights
        for number in figures(d.values[Name.parse(name)]):
            assert not written(number, exercise), (name, number)
    assert "| **0** | 0.05 | 0.1 |" in exercise  # the second batch is data


def test_a_number_in_the_scenario_s_words_that_is_a_blank_result_is_left_out(capsys):
    """Mazur's description gives the second iteration's loss, 0.29102777369, and the article's
    wrong 0.291027924: with the updates blank the first goes, the second is no answer."""
    exercise = export(capsys, "mazur", "--exercise", "--blank", "update", "-n", "2")
    assert "gives ▢, which is what this scenario expects" in exercise
    assert "first round as 0.291027924" in exercise
    assert "0.29102777369" in export(capsys, "mazur", "--exercise", "--blank", "update")  # not blank in iteration 1


def test_one_operation_is_what_the_whole_example_writes_of_it(capsys):
    whole = export(capsys, "mazur")
    one = export(capsys, "mazur", "--op", "delta2")
    section = whole[whole.index("#### 9. `delta2`"):whole.index("#### 10.")].strip()
    assert section.replace("#### 9.", "## 9.") in one
    assert one == export(capsys, "mazur", "--op", "9") == export(capsys, "mazur", "--op", "δ_o1")
    assert "*This part: iteration 1, operation 9.*" in one and "Erratum" not in one  # a slide: no description
    later = export(capsys, "mazur", "--op", "delta2", "--iteration", "2")
    assert "## 27. `delta2`" in later and "0.138498562" not in later


def test_one_operation_as_an_exercise_leaves_that_operation_blank(capsys):
    exercise = export(capsys, "article", "--op", "grad_W1", "--exercise")
    key = export(capsys, "article", "--op", "grad_W1", "--answers")
    d = scenario.load(SCENARIOS / "article.toml").debugger()
    d.goto(20)
    assert str(d.last_op.output) == "grad_W1"
    # with x = (1, 0.5, −1), ∂J/∂W1 = δ1ᵀ·x repeats δ1, which the exercise gives: those are no answer
    answers = figures(d.values[Name("grad_W", 1)]) - figures(d.values[Name("delta", 1)])
    assert len(answers) == 3
    for number in answers:
        assert not written(number, exercise) and written(number, key)
    assert "grad_W1[2,1] = Σₛ delta1[s,2]·a0[s,1] = 0.00218868055×0.5 = ▢" in exercise.splitlines()


def test_iteration_k_starts_from_the_parameters_iteration_k_minus_1_left(capsys):
    second = export(capsys, "mazur", "--iteration", "2")
    assert "## The parameters as iteration 2 starts" in second and "## Iteration 1" not in second
    assert "| **0** | 0.149780716 | 0.199561432 |" in second  # W1 after the first update (Mazur: w1⁺, w2⁺)
    assert "#### 19. `a0` — the batch" in second
    assert "> ✓ The source states loss (E_total) @ iteration 2 = 0.291027774; computed 0.291027774" in second
    assert "| ✓ | a1 @ iteration 1 (not written out above) |" in second


def mazur_neuron_2_0() -> dict[str, float]:
    """Output neuron o1 of Mazur's network, from the article's formulas."""
    h = 1 / (1 + np.exp(-(np.array([0.05 * 0.15 + 0.1 * 0.2, 0.05 * 0.25 + 0.1 * 0.3]) + 0.35)))
    z = h @ [0.40, 0.45] + 0.60
    a = 1 / (1 + math.exp(-z))
    delta = (a - 0.01) * a * (1 - a)
    return {"p0": h[0] * 0.40, "p1": h[1] * 0.45, "z": z, "a": a, "dact": a * (1 - a), "grad_a": a - 0.01,
            "delta": delta, "g0": delta * h[0], "g1": delta * h[1], "w0": 0.40 - 0.5 * delta * h[0],
            "w1": 0.45 - 0.5 * delta * h[1]}


def test_a_neuron_s_story_holds_its_inputs_times_weights_z_a_f_prime_delta_gradients_and_updates(capsys):
    story = export(capsys, "mazur", "--neuron", "2:0")
    n = {k: f"{v:.9g}" for k, v in mazur_neuron_2_0().items()}
    lines = story.splitlines()
    assert f"| 0 | w5 | {f'{0.593269992:.9g}'} | 0.4 | {n['p0']} |" in lines
    assert f"| 1 | w6 | 0.596884378 | 0.45 | {n['p1']} |" in lines
    assert "| bias |  | 1 | 0.6 | 0.6 |" in lines
    assert f"| z2[0,0] | net_o1 |  | Σ | {n['z']} |" in lines
    assert "| s | z2 | a2 | dact2 | grad_a2 (given) | delta2 |" in lines
    assert f"| 0 | {n['z']} | {n['a']} | {n['dact']} | {n['grad_a']} | {n['delta']} |" in lines
    assert f"| W2[0,0] | w5 | 0.4 | {n['g0']} | {n['w0']} |" in lines
    assert f"| W2[0,1] | w6 | 0.45 | {n['g1']} | {n['w1']} |" in lines
    assert f"| b2[0] |  | 0.6 | {n['delta']} | — |" in lines  # the biases are frozen in Mazur's
    # each of its operations, with its own elements only
    assert [line.split(" — ")[0] for line in lines if line.startswith("### ")] == \
        ["### 4. `z2`", "### 5. `a2`", "### 8. `dact2`", "### 9. `delta2`", "### 10. `grad_W2`", "### 11. `grad_b2`",
         "### 18. `W2`"]
    assert "delta2[0,1]" not in story and "W2[1,0]" not in story


@pytest.mark.parametrize("fmt", ["markdown", "html", "latex", "notebook"])
def test_a_neuron_s_exercise_blanks_its_backward_story_and_its_updates(fmt, capsys):
    exercise = export(capsys, "mazur", "--neuron", "2:0", "--exercise", "--format", fmt)
    key = export(capsys, "mazur", "--neuron", "2:0", "--answers", "--format", fmt)
    n = mazur_neuron_2_0()
    for name in ("dact", "delta", "g0", "g1", "w0", "w1"):
        assert not written(f"{n[name]:.9g}", exercise) and written(f"{n[name]:.9g}", key), name
    for name in ("p0", "z", "a", "grad_a"):
        assert written(f"{n[name]:.9g}", exercise), name
    if fmt == "markdown":
        assert "| W2[0,0] | w5 | 0.4 | ▢ | ▢ |" in exercise.splitlines()


@pytest.mark.parametrize("arguments, message", [
    (["--exercise", "--blank", "deltaa2"], "--blank: 'deltaa2' is neither a phase (forward, loss, backward, update), "
                                           "a kind of operation nor a quantity an operation of this scenario writes"),
    (["--exercise", "--blank", "a0"], "(it is given: the data)"),
    (["--blank", "delta"], "--blank says what an --exercise or its --answers leave blank: add one of them"),
    (["--exercise", "--op", "z1", "--blank", "backward"],
     "--blank backward: leaves nothing blank in the part exported"),
    (["--op", "z1", "-n", "2"], "--op writes out one iteration: choose it with --iteration K"),
    (["--op", "zz1"], "--op: no operation writes 'zz1'"),
    (["--op", "19"], "--op: expected an operation's number from 1 to 18, or a quantity, got 19"),
    (["--neuron", "3:0"], "--neuron: the network has layers 1 to 2, not 3"),
    (["--neuron", "2:2"], "--neuron: layer 2 has units 0 to 1, not 2"),
    (["--neuron", "2-0"], "--neuron: expected LAYER:UNIT such as 2:0"),
    (["--exercise", "--answers"], "not allowed with argument"),
])
def test_a_request_that_cannot_be_met_gets_one_line(arguments, message, capsys):
    assert message in refused(capsys, "mazur", *arguments)


def test_an_operation_written_several_times_is_asked_for_by_its_number(capsys):
    err = refused(capsys, "micrograd", "--op", "grad_b")
    # b receives five contributions (micrograd's README)
    assert "--op: 5 operations write grad_b in an iteration (41, 49, 63, 65, 67): give its number instead" in err
    assert "--neuron: a computation graph has no layers of neurons" in refused(capsys, "micrograd", "--neuron", "1:0")


def test_the_format_follows_the_output_s_extension_and_no_file_is_overwritten(tmp_path, capsys):
    for ext, start in ((".md", "# A Step"), (".html", "<!DOCTYPE html>"), (".tex", "\\documentclass"),
                       (".ipynb", "{")):
        out = tmp_path / f"mazur{ext}"
        assert cli.main(["export", "mazur", "--op", "z1", "-o", str(out)]) == 0
        assert out.read_text().startswith(start)
        out.write_text("the teacher's edits")
        assert "already exists; add --force" in refused(capsys, "mazur", "--exercise", "-o", str(out))
        assert out.read_text() == "the teacher's edits"
    assert cli.main(["export", "mazur", "--format", "latex", "-o", str(tmp_path / "m.md")]) == 0
    assert (tmp_path / "m.md").read_text().startswith("\\documentclass")  # --format wins


def test_a_neuron_s_products_add_up_to_its_z_and_a_source_without_names_has_no_column_for_them(capsys):
    story = export(capsys, "article", "--neuron", "3:0", "--digits", "17")
    table = story.split("## What comes in")[1].split("##")[0].strip().splitlines()
    assert table[0] == "| i | a2[0,i] | W3[0,i] | product |"
    rows = [line.strip("|").split("|") for line in table[2:]]
    products = [float(a) * float(w) for _, a, w, _ in rows[:-1]]
    assert [float(p) for *_, p in rows[:-1]] == pytest.approx(products, rel=1e-15)
    assert float(rows[-1][-1]) == pytest.approx(sum(products), rel=1e-15)  # z3[0,0], no bias in the article


def test_a_neuron_s_products_are_blank_when_its_z_is(capsys):
    exercise = export(capsys, "mazur", "--neuron", "2:0", "--exercise", "--blank", "z2")
    lines = exercise.splitlines()
    assert "| 0 | w5 | 0.593269992 | 0.4 | ▢ |" in lines and "| z2[0,0] | net_o1 |  | Σ | ▢ |" in lines
    assert "| bias |  | 1 | 0.6 | 0.6 |" in lines  # the bias is given
