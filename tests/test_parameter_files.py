"""Parameters from files: `weights = { file = "init.npz", key = "W1" }` and the same for `bias`.

The mistakes, one line each, are in the bad-scenario corpus (`params_*`); here, what a file
gives when it is right, the layout, and that a wrong array is refused from its header.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from stepnet import scenario
from stepnet.engine.names import Name
from stepnet.errors import ScenarioError
from stepnet.limits import Limits

W1 = np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])  # 2 units × 3 inputs
B1 = np.array([0.01, -0.02])
W2 = np.array([[0.7, -0.8]])
B2 = np.array([0.05])

SCENARIO = """title = "from files"
[network]
inputs = 3
[[network.layers]]
units = 2
activation = "tanh"
weights = {w1}
bias = {b1}
[[network.layers]]
units = 1
activation = "identity"
weights = {w2}
bias = {b2}
[loss]
kind = "half_sse"
[optimizer]
learning_rate = 0.1
[data]
inputs = [[1.0, 2.0, 3.0]]
targets = [[0.5]]
{notation}
"""


def write(folder, notation="", **parameters):
    """The scenario with each parameter from `init.npz` (`key`) or inline (a list)."""
    fields = {name: (f'{{ file = "init.npz", key = "{value}" }}' if isinstance(value, str) else str(value))
              for name, value in parameters.items()}
    path = folder / "s.toml"
    path.write_text(SCENARIO.format(notation=notation, **fields))
    return path


def initial(path):
    model = scenario.load(path).model
    return {str(name): model.initial[name] for name in model.parameter_names()}


def test_weights_and_biases_from_a_file_are_those_written_inline(tmp_path):
    np.savez(tmp_path / "init.npz", W1=W1, b1=B1, W2=W2, b2=B2)
    from_file = initial(write(tmp_path, w1="W1", b1="b1", w2="W2", b2="b2"))
    inline = initial(write(tmp_path, w1=W1.tolist(), b1=B1.tolist(), w2=W2.tolist(), b2=B2.tolist()))
    assert from_file.keys() == inline.keys() == {"W1", "b1", "W2", "b2"}
    for name in from_file:
        np.testing.assert_array_equal(from_file[name], inline[name])
    np.testing.assert_array_equal(from_file["W1"], W1)


@pytest.mark.parametrize("shape", [(1, 2), (2, 1)], ids=["row", "column"])
def test_a_bias_saved_as_a_row_or_a_column_is_the_layer_s_bias(tmp_path, shape):
    np.savez(tmp_path / "init.npz", W1=W1, b1=B1.reshape(shape), W2=W2, b2=B2.reshape(1, 1))
    loaded = initial(write(tmp_path, w1="W1", b1="b1", w2="W2", b2="b2"))
    np.testing.assert_array_equal(loaded["b1"], B1)
    assert loaded["b2"].shape == (1,)


def test_the_layout_reads_a_file_s_weights_fan_in_by_units(tmp_path):
    np.savez(tmp_path / "init.npz", W1=W1.T, W2=W2.T)  # as `x @ W + b` code keeps them
    loaded = initial(write(tmp_path, '[notation]\nlayout = "in_out"', w1="W1", b1=0, w2="W2", b2=0))
    np.testing.assert_array_equal(loaded["W1"], W1)
    np.testing.assert_array_equal(loaded["W2"], W2)


def test_weights_in_the_other_layout_get_the_hint(tmp_path):
    np.savez(tmp_path / "init.npz", W1=W1.T)
    with pytest.raises(ScenarioError) as e:
        scenario.load(write(tmp_path, w1="W1", b1=0, w2=W2.tolist(), b2=0))
    assert e.value.field == "network.layers[0].weights.key"
    assert e.value.message == ("init.npz: `W1`: expected a 2×3 matrix (units × fan_in: row i holds the weights "
                               "into neuron i), got 3×2; if the source prints fan_in × units, say so in [notation]: "
                               "layout = \"in_out\"")


def test_the_file_is_found_beside_the_scenario_not_in_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "s").mkdir()
    np.savez(tmp_path / "s" / "init.npz", W1=W1)
    path = write(tmp_path / "s", w1="W1", b1=0, w2=W2.tolist(), b2=0)
    monkeypatch.chdir(tmp_path)
    np.testing.assert_array_equal(scenario.load(path.relative_to(tmp_path)).model.initial[Name("W", 1)], W1)


def test_a_misshapen_array_is_refused_from_its_header_before_its_data_is_read(tmp_path):
    np.savez(tmp_path / "init.npz", W1=np.zeros((2000, 1000)))  # 16 MB of the wrong shape
    path = write(tmp_path, w1="W1", b1=0, w2=W2.tolist(), b2=0)
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError, match="expected a 2×3 matrix"):
            scenario.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000


def test_a_file_s_parameters_count_against_the_limit_before_it_is_opened(tmp_path):
    path = write(tmp_path, w1="W1", b1=0, w2=W2.tolist(), b2=0)  # init.npz does not even exist
    with pytest.raises(ScenarioError, match="more than the limit of 5"):
        scenario.load(path, limits=Limits(parameters=5))
