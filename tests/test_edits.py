"""What-if edits in the engine: which values can be set and how they are named, a run with
them against the article's formulas worked by hand, and the marks the screen shows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import make_data, make_model
from hand import sigmoid

from stepnet import scenario
from stepnet.bundled import DIRECTORY
from stepnet.engine.conventions import Alias, Glossary
from stepnet.engine.debugger import Debugger
from stepnet.engine.edits import Edit, EditError, apply, differs, marks, parse, value
from stepnet.engine.names import Name

N = Name.parse
MAZUR = scenario.load(DIRECTORY / "mazur.toml")


def named(text: str, s=MAZUR, iteration: int = 1) -> Edit:
    return parse(text, s.model, s.data, s.notation.names, iteration)


@pytest.mark.parametrize(("text", "target", "index"), [
    ("W2[0,1]", N("W2"), (0, 1)), ("w5", N("W2"), (0, 0)), ("w4", N("W1"), (1, 1)), ("b1[1]", N("b1"), (1,)),
    ("a0[0,1]", N("a0"), (0, 1)), ("y[0,0]", N("y"), (0, 0)), ("learning_rate", None, ()), ("lr", None, ()),
    ("η", None, ()),
])
def test_a_value_is_named_by_stepnet_s_name_or_the_source_s(text, target, index) -> None:
    edit = named(text)
    assert (edit.target, edit.index) == (target, index)


@pytest.mark.parametrize(("text", "message"), [
    ("z1[0,0]", "z1 cannot be edited: it is computed; expected an element of W1, b1, W2, b2, a0, y (such as "
                "W1[0,0]), or learning_rate"),
    ("W2", "W2 is not an element of W2, whose shape is 2×2"),
    ("W2[2,0]", "W2[2,0] is not an element of W2, whose shape is 2×2"),
    ("a0[1,0]", "a0[1,0] is not an element of a0, whose shape is 1×2 in iteration 1's batch"),
    ("E_total", "E_total is loss: give the element it stands for"),
    ("-W2[0,0]", "without a minus"),
    ("W2[0", "cannot read 'W2[0'"),
])
def test_what_cannot_be_edited_says_what_can(text, message) -> None:
    with pytest.raises(EditError, match=None) as e:
        named(text)
    assert message in str(e.value)


def test_a_graph_s_leaves_are_its_values_and_without_training_there_is_no_learning_rate() -> None:
    s = scenario.load(DIRECTORY / "micrograd.toml")
    assert named("b", s) == Edit(N("b"), (), 0.0)
    with pytest.raises(EditError, match="nothing is trained here"):
        named("learning_rate", s)
    with pytest.raises(EditError, match="a0 cannot be edited"):
        named("a0[0,0]", s)


def test_an_input_of_the_batch_shown_is_the_data_set_s_row_it_holds() -> None:
    s = scenario.load(DIRECTORY / "compare" / "mlp.toml")  # in file order, batches of 8
    assert named("a0[2,5]", s, iteration=2).index == (8 + 2, 5)
    assert named("y[7,1]", s, iteration=3).index == (16 + 7, 1)


@pytest.mark.parametrize(("name", "what", "new", "written", "rewritten"), [
    ("mazur", "lr", -0.5, "learning_rate = 0.5", "learning_rate = -0.5"),
    ("dropout", "y[0,0]", 0.5, "targets = [[1, 0],", "targets = [[0.5, 0],"),  # cross-entropy: sums to 1
    ("symmetry", "y[0,0]", 2.0, "targets = [[0.0],", "targets = [[2.0],"),  # binary cross-entropy: in [0, 1]
])
def test_a_value_no_scenario_could_hold_is_refused_for_the_reader_s_reason(tmp_path, name, what, new, written,
                                                                          rewritten) -> None:
    s = scenario.load(DIRECTORY / f"{name}.toml")
    with pytest.raises(EditError) as refused:
        apply(s.model, s.data, [replace(named(what, s), value=new)])
    text = s.path.read_text()
    assert text.count(written) == 1
    (tmp_path / "edited.toml").write_text(text.replace(written, rewritten))
    with pytest.raises(scenario.ScenarioError) as read:
        scenario.load(tmp_path / "edited.toml")
    reason = str(refused.value).split(": ", 1)[1]  # after the value's name
    assert reason.split(", got")[0] in str(read.value)


def test_the_edited_run_is_the_scenario_s_with_the_value_set_and_nothing_else() -> None:
    model, data = apply(MAZUR.model, MAZUR.data, [replace(named("w5"), value=0.0),
                                                  replace(named("lr"), value=2.0),
                                                  replace(named("a0[0,1]"), value=0.3)])
    W2 = model.initial[N("W2")]
    assert W2[0, 0] == 0.0 and W2[1, 1] == 0.55 and not W2.flags.writeable
    assert MAZUR.model.initial[N("W2")][0, 0] == 0.40  # the scenario's own: untouched
    assert model.optimizer.learning_rate == 2.0 and model.optimizer.frozen == MAZUR.model.optimizer.frozen
    assert data.inputs.tolist() == [[0.05, 0.3]] and not data.inputs.flags.writeable
    assert value(model, data, named("w6")) == 0.45 and value(model, data, named("lr")) == 2.0


def test_a_run_with_w5_at_0_is_the_article_s_network_worked_by_hand_with_w5_0() -> None:
    model, data = apply(MAZUR.model, MAZUR.data, [replace(named("w5"), value=0.0)])
    d = Debugger(model, data)
    d.run_iterations(1)
    x, (W1, b1), b2 = (0.05, 0.10), (((0.15, 0.20), (0.25, 0.30)), 0.35), 0.60
    h = [sigmoid(W1[j][0] * x[0] + W1[j][1] * x[1] + b1) for j in range(2)]
    o1 = sigmoid(0.0 * h[0] + 0.45 * h[1] + b2)
    o2 = sigmoid(0.50 * h[0] + 0.55 * h[1] + b2)
    loss = 0.5 * ((0.01 - o1) ** 2 + (0.99 - o2) ** 2)
    assert d.losses == [pytest.approx(loss, rel=1e-12)]
    delta_o1 = (o1 - 0.01) * o1 * (1 - o1)
    assert d.values[N("W2")][0, 0] == pytest.approx(0.0 - 0.5 * delta_o1 * h[0], rel=1e-12)


def test_the_marks_are_the_edited_elements_and_what_differs_between_the_runs() -> None:
    edits = [replace(named("w5"), value=0.0), replace(named("y[0,1]"), value=0.5)]
    rows = MAZUR.data.rows(1)
    assert marks(edits, N("W2"), (2, 2), rows).tolist() == [[True, False], [False, False]]
    assert marks(edits, N("y"), (1, 2), rows).tolist() == [[False, True]]
    assert marks(edits, N("y"), (1, 2), np.array([5])) is None  # a batch without the row edited
    assert marks(edits, N("W1"), (2, 2), rows) is None
    a, b = np.array([[1.0, np.nan], [2.0, 3.0]]), np.array([[1.0, np.nan], [2.5, 3.0]])
    assert differs(a, b).tolist() == [[False, False], [True, False]]
    assert differs(a, None) is None and differs(a, b[:1]) is None


def test_what_can_be_edited_is_listed_briefly_on_a_deep_network() -> None:
    """102 layers: 204 parameters and a0, y. The message names the first and the last of them
    around …, a line to read rather than ~1,500 characters of names."""
    model = make_model([2] * 103, ["tanh"] * 102)
    with pytest.raises(EditError) as e:
        parse("z1[0,0]", model, make_data(model, 4, 2), MAZUR.notation.names, 1)
    message = str(e.value)
    assert len(message) < 300 and " … " in message
    assert message.startswith("z1 cannot be edited: it is computed; expected an element of W1, b1, W2")
    assert "W102, b102, a0, y (such as W1[0,0])" in message


def test_each_edit_says_where_it_sets_its_value_and_which_edits_set_the_same_one() -> None:
    assert Edit(None, (), 0.5).where() == "learning_rate"
    assert Edit(N("a0"), (3, 1), 0.5).where() == "sample 3's input 1"
    assert Edit(N("y"), (0, 2), 0.5).where() == "sample 0's target 2"
    assert Edit(N("W2"), (0, 1), 0.5).where() == "W2[0,1]"
    assert Edit(N("W2"), (0, 1), 0.5).same(Edit(N("W2"), (0, 1), 2.0))
    assert not Edit(N("W2"), (0, 1), 0.5).same(Edit(N("W2"), (1, 0), 0.5))
    assert not Edit(N("a0"), (0, 0), 0.5).same(Edit(N("y"), (0, 0), 0.5))


@pytest.mark.parametrize("text", ["W2[0,1]", "w5", "a0[0,1]", "y[0,0]", "learning_rate"])
def test_a_value_named_is_set_to_0_until_it_is_given_one(text) -> None:
    assert named(text).value == 0.0


@pytest.mark.parametrize(("text", "message"), [
    ("W2[2,0]", "W2[2,0] is not an element of W2, whose shape is 2×2"),
    ("-W2[0,1]", "give the element itself, without a minus: W2[0,1]"),
    ("weights2", "weights2 is W2: give the element it stands for, such as W2[0,0]"),
    ("bias1", "bias1 is b1: give the element it stands for, such as b1[0]"),
    ("minus_w6", "minus_w6 is -W2[0,1]: give the element it stands for, such as W2[0,0]"),
])
def test_the_whole_message_of_a_refused_edit(text, message) -> None:
    glossary = Glossary({"weights2": Alias(N("W2")), "bias1": Alias(N("b1")),
                         "minus_w6": Alias(N("W2"), (0, 1), negated=True)})
    with pytest.raises(EditError) as e:
        parse(text, MAZUR.model, MAZUR.data, glossary, 1)
    assert str(e.value) == message


@pytest.mark.parametrize(("text", "message"), [
    ("learning_rate", "nothing is trained here, so there is no learning rate to edit"),
    ("c", "c cannot be edited: it is computed; expected an element of a, b (such as a)"),
    ("b[0]", "b[0] is not an element of b, whose shape is a number"),
])
def test_a_graph_s_refusals_name_its_scalar_leaves_and_no_learning_rate(text, message) -> None:
    with pytest.raises(EditError) as e:
        named(text, scenario.load(DIRECTORY / "micrograd.toml"))
    assert str(e.value) == message


@pytest.mark.parametrize(("layers", "shortened"), [(24, False), (25, True)])
def test_what_can_be_edited_is_listed_in_full_up_to_120_characters(layers, shortened) -> None:
    """Without biases the list is W1, …, W24, a0, y: 116 characters for 24 layers, 121 for 25."""
    listed = ", ".join([f"W{l}" for l in range(1, layers + 1)] + ["a0", "y"])
    assert len(listed) == (121 if shortened else 116)
    model = make_model([2] * (layers + 1), ["tanh"] * layers, bias=False)
    with pytest.raises(EditError) as e:
        parse("z1[0,0]", model, make_data(model, 4, 2), MAZUR.notation.names, 1)
    assert (listed in str(e.value)) is not shortened and (" … " in str(e.value)) is shortened


def test_an_input_s_and_a_target_s_value_are_the_data_set_s_and_a_target_edit_is_made() -> None:
    assert value(MAZUR.model, MAZUR.data, named("a0[0,1]")) == 0.10
    assert value(MAZUR.model, MAZUR.data, named("y[0,0]")) == 0.01
    model, data = apply(MAZUR.model, MAZUR.data, [replace(named("y[0,1]"), value=0.5)])
    assert data.targets.tolist() == [[0.01, 0.5]] and not data.targets.flags.writeable
    assert MAZUR.data.targets.tolist() == [[0.01, 0.99]]


def test_two_elements_of_one_parameter_are_both_set_and_a_value_not_finite_is_refused() -> None:
    model, _ = apply(MAZUR.model, MAZUR.data, [replace(named("w5"), value=1.0), replace(named("w8"), value=2.0)])
    assert model.initial[N("W2")].tolist() == [[1.0, 0.45], [0.50, 2.0]]
    with pytest.raises(EditError) as e:
        apply(MAZUR.model, MAZUR.data, [replace(named("w5"), value=float("nan"))])
    assert str(e.value) == "W2[0,0]: expected a finite number, got nan"


def test_a_graph_run_with_a_leaf_edited_is_micrograd_s_expression_worked_by_hand() -> None:
    s = scenario.load(DIRECTORY / "micrograd.toml")
    graph, data = apply(s.model, s.data, [replace(named("b", s), value=3.0)])
    assert value(graph, data, named("b", s)) == 3.0 and value(s.model, s.data, named("b", s)) == 2.0
    a, b = -4.0, 3.0
    c, d = a + b, a * b + b**3
    c2 = c + (c + 1)
    c3 = c2 + (1 + c2 + (-a))
    d2 = d + (d * 2 + max(b + a, 0.0))
    d3 = d2 + (3 * d2 + max(b - a, 0.0))
    f = (c3 - d3) ** 2
    run = Debugger(graph, data)
    run.goto(run.n_ops)
    assert float(run.values[N("g")]) == pytest.approx(f / 2.0 + 10.0 / f, rel=1e-12)


def test_the_marks_are_a_boolean_mask_and_nan_against_a_number_differs() -> None:
    mask = marks([replace(named("w5"), value=0.0)], N("W2"), (2, 2), MAZUR.data.rows(1))
    assert mask.dtype == bool and mask.tolist() == [[True, False], [False, False]]
    assert differs(np.array([np.nan, 1.0]), np.array([1.0, np.nan])).tolist() == [True, True]
    assert differs(np.array(1.0), None) is None and differs(None, np.array(1.0)) is None
