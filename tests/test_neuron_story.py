"""One neuron's story in the engine: which operations, quantities and elements are the
neuron's, and which neuron an element belongs to (the neuron view and export share it)."""

from __future__ import annotations

import numpy as np
import pytest

from stepnet.engine.names import Name
from stepnet.engine.neuron import column, neuron_of, story
from stepnet.scenario import load
from stepnet.bundled import DIRECTORY as SCENARIOS

N = Name.parse


def test_mazur_s_output_neuron_is_told_by_its_layer_s_ops_with_the_gradient_it_is_given() -> None:
    program = load(SCENARIOS / "mazur.toml").debugger().program
    s = story(program, 2, 0)
    assert [program.ops[k].output for k in s.ops] == [N("z2"), N("a2"), N("dact2"), N("delta2"), N("grad_W2"),
                                                      N("grad_b2"), N("W2")]
    assert s.own == (N("z2"), N("a2"), N("dact2"), N("grad_a2"), N("delta2"))
    assert s.given == {N("grad_a2")}
    # b2 is frozen in the article: its gradient, and no update
    assert s.parameters == {N("W2"): (N("grad_W2"), N("W2")), N("b2"): (N("grad_b2"),)}
    assert (s.inputs, s.weights) == (N("a1"), N("W2"))


def test_a_softmax_with_cross_entropy_neuron_has_no_f_prime_and_adam_s_lines_are_its_update(tmp_path) -> None:
    text = (SCENARIOS / "digits.toml").read_text()
    assert 'kind = "sgd"' in text
    path = tmp_path / "digits.toml"
    path.write_text(text.replace('kind = "sgd"', 'kind = "adam"').replace('file = "data/', f'file = "{SCENARIOS}/data/'))
    program = load(path).debugger().program
    s = story(program, 2, 3)
    assert s.own == (N("z2"), N("a2"), N("delta2"))  # δ = (p − y)/B, fused: no f′, nothing given
    assert s.given == frozenset()
    assert s.parameters[N("W2")][0] == N("grad_W2") and s.parameters[N("W2")][-1] == N("W2")
    assert {N("m_W2"), N("v_W2")} <= set(s.parameters[N("W2")])


def test_a_dropout_neuron_has_its_mask() -> None:
    program = load(SCENARIOS / "dropout.toml").debugger().program
    assert N("m1") in story(program, 1, 0).own


def test_a_neuron_s_elements_and_the_neuron_of_an_element_are_each_other_s() -> None:
    program = load(SCENARIOS / "article.toml").debugger().program
    s = story(program, 2, 1)
    assert s.elements(N("W2"), (3, 3), 2, 16) == [(1, 0), (1, 1), (1, 2)]
    assert s.elements(N("grad_b2"), (3,), 2, 16) == [(1,)]
    assert s.elements(N("z2"), (4, 3), 2, 16) == [(0, 1), (1, 1)]
    for name, shape in [(N("W2"), (3, 3)), (N("m_W2"), (3, 3)), (N("b2"), (3,)), (N("z2"), (4, 3)),
                        (N("delta2"), (1, 3)), (N("grad_a2"), (1, 3)), (N("dact2"), (2, 3, 3))]:
        for index in s.elements(name, shape, 9, 9):
            assert neuron_of(name, index) == (2, 1), (name, index)
    assert neuron_of(N("a0"), (0, 1)) is None
    assert neuron_of(N("loss"), ()) is None
    assert neuron_of(N("y"), (0, 0)) is None


def test_a_neuron_s_products_are_its_activations_below_times_its_weights() -> None:
    program = load(SCENARIOS / "article.toml").debugger().program
    s = story(program, 2, 1)
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    W = np.arange(9.0).reshape(3, 3)
    assert s.products()(a, W).tolist() == [[1 * 3, 2 * 4, 3 * 5], [4 * 3, 5 * 4, 6 * 5]]


@pytest.mark.parametrize(("name", "title"), [("grad_W1", "∂J/∂θ"), ("W1", "θ after"), ("update_W1", "Δθ"),
                                             ("m_b2", "m_θ")])
def test_what_is_written_of_a_parameter_is_titled_by_what_it_is(name, title) -> None:
    assert column(N(name)) == title


def test_a_softmax_neuron_without_cross_entropy_is_given_its_gradient_past_the_jacobian(tmp_path) -> None:
    """Softmax with squared error: f′ is the Jacobian (a matrix per sample, not the neuron's
    own), and the ops after it — the ∂J/∂a it is given and δ — still tell the story."""
    path = tmp_path / "softmax_sse.toml"
    path.write_text('title = "softmax, squared error"\n\n[network]\ninputs = 2\n\n'
                    '[[network.layers]]\nunits = 3\nactivation = "softmax"\n'
                    'weights = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]\nbias = 0.0\n\n'
                    '[loss]\nkind = "half_sse"\n\n[optimizer]\nkind = "sgd"\nlearning_rate = 0.1\n\n'
                    '[data]\ninputs = [[1.0, 2.0]]\ntargets = [[0.0, 1.0, 0.0]]\n', encoding="utf-8")
    program = load(path).debugger().program
    assert program.shapes[N("dact1")] == (None, 3, 3)
    s = story(program, 1, 2)
    assert s.own == (N("z1"), N("a1"), N("grad_a1"), N("delta1"))
    assert s.given == {N("grad_a1")}


def test_a_neuron_s_column_runs_over_every_sample_asked_for_and_its_jacobian_rows_over_every_unit() -> None:
    program = load(SCENARIOS / "article.toml").debugger().program
    s = story(program, 2, 1)
    # more samples than units: the column is as long as the batch (its first `samples`)
    assert s.elements(N("z2"), (5, 3), 4, 16) == [(0, 1), (1, 1), (2, 1), (3, 1)]
    # the softmax's Jacobian: per sample, the row ∂a[s,1]/∂z[s,k] for each k
    assert s.elements(N("dact2"), (2, 3, 3), 9, 16) == [(0, 1, 0), (0, 1, 1), (0, 1, 2), (1, 1, 0), (1, 1, 1),
                                                        (1, 1, 2)]
