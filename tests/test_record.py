"""stepnet.record.Recorder: what a user's own code calls to record its numbers."""

from __future__ import annotations

import numpy as np
import pytest

from stepnet.record import Recorder


def test_it_keeps_a_copy_of_each_value_under_name_at_iteration(tmp_path):
    W1 = np.array([[1.0, 2.0]])
    rec = Recorder(tmp_path / "trace.npz")
    rec.log(1, W1=W1, loss=0.25)
    W1 -= 1.0  # the user's code updates in place: the recorded value must not follow
    rec.log(2, W1=W1)
    assert rec.save() == tmp_path / "trace.npz"
    with np.load(tmp_path / "trace.npz", allow_pickle=False) as trace:
        assert sorted(trace.files) == ["W1@1", "W1@2", "loss@1"]
        assert trace["W1@1"].tolist() == [[1.0, 2.0]] and trace["W1@2"].tolist() == [[0.0, 1.0]]
        assert trace["loss@1"].shape == () and trace["loss@1"].dtype == np.float64


def test_saving_again_replaces_the_trace_whole(tmp_path):
    path = tmp_path / "trace.npz"
    first = Recorder(path)
    first.log(1, a1=[1.0])
    first.save()
    second = Recorder(path)
    second.log(1, z1=[2.0])
    second.save()
    with np.load(path) as trace:
        assert trace.files == ["z1@1"]
    assert [p.name for p in tmp_path.iterdir()] == ["trace.npz"]  # no temporary file left behind


@pytest.mark.parametrize("iteration", [0, -1, 1.5, True, "1"])
def test_an_iteration_is_a_whole_number_from_1(tmp_path, iteration):
    with pytest.raises(ValueError, match="iteration must be a whole number from 1"):
        Recorder(tmp_path / "t.npz").log(iteration, a1=[1.0])


def test_a_quantity_logged_twice_in_an_iteration_is_refused(tmp_path):
    rec = Recorder(tmp_path / "t.npz")
    rec.log(1, a1=[1.0])
    with pytest.raises(ValueError, match="a1@1 is logged twice"):
        rec.log(1, a1=[2.0])


def test_it_imports_nothing_of_stepnet_but_itself_and_numpy():
    import subprocess
    import sys

    code = ("import sys; import stepnet.record; "
            "print(sorted(m for m in sys.modules if m.startswith('stepnet') or m in ('textual', 'rich')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['stepnet', 'stepnet.files', 'stepnet.record']"
