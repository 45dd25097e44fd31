"""`stepnet trace --format json`: the documented shape and every value, as the standard
library's json module writes them from the engine's state; floats that read back exactly;
non-finite numbers as strings; standard output in large blocks even when unbuffered."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from stepnet import bundled, scenario
from stepnet.cli import main
from stepnet.jsonout import BLOCK, dumps, numbers


def plain(value) -> object:
    """What the trace promises for a value, written out with the standard library: nested
    lists of floats, with NaN and ±Inf as "nan", "inf", "-inf"."""
    def one(x: float) -> object:
        return x if math.isfinite(x) else {math.inf: "inf", -math.inf: "-inf"}.get(x, "nan")

    def walk(v: object) -> object:
        return [walk(x) for x in v] if isinstance(v, list) else one(v)

    return walk(np.asarray(value, dtype=float).tolist())


def expected_trace(path, iterations: int) -> object:
    """The trace of `iterations` iterations built from the engine's state, through `json`."""
    s = scenario.load(path)
    d = s.debugger()
    steps = []
    for _ in range(iterations * d.n_ops):
        op = d.step()
        steps.append({"index": d.position, "iteration": d.iteration, "phase": op.phase, "layer": op.layer,
                      "output": str(op.output), "formula": op.formula, "value": plain(d.values[op.output])})
    final = {str(k): plain(v) for k, v in d.parameters().items()}
    return json.loads(json.dumps({"title": s.title, "steps": steps, "final": final}))


@pytest.mark.parametrize("name", bundled.names())
def test_the_trace_is_the_engine_s_state_on_every_shipped_scenario(name, capsysbinary):
    assert main(["trace", name, "--format", "json"]) == 0
    out = capsysbinary.readouterr().out
    assert out.endswith(b"}\n") and out.count(b"\n") == 1
    assert json.loads(out) == expected_trace(bundled.resolve(name), 1)  # floats compared exactly


def test_non_finite_values_are_strings(tmp_path, capsysbinary):
    diverging = tmp_path / "diverging.toml"
    diverging.write_text((bundled.DIRECTORY / "relu_sigmoid.toml").read_text()
                         .replace("learning_rate = 0.1", "learning_rate = 1e200"))
    main(["trace", str(diverging), "-n", "3", "--format", "json"])
    out = capsysbinary.readouterr().out
    assert b"NaN" not in out and b"Infinity" not in out  # not the extensions of JSON some encoders write
    assert b'"inf"' in out and b'"nan"' in out
    assert json.loads(out) == expected_trace(diverging, 3)


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=5), elements=finite))
def test_floats_read_back_exactly(a):
    back = np.asarray(json.loads(dumps(numbers(a))), dtype=np.float64)
    assert back.shape == a.shape and back.tobytes() == a.tobytes()  # -0.0 and subnormals too


@given(arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=5),
              elements=st.floats(width=64) | st.sampled_from([math.nan, math.inf, -math.inf])))
def test_non_finite_numbers_are_strings_and_the_rest_floats(a):
    assert json.loads(dumps(numbers(a))) == plain(a)


def test_standard_output_is_written_in_large_blocks_when_unbuffered(tmp_path):
    """Unbuffered, `json.dump` to stdout made a system call per piece: thousands here."""
    code = ("import sys\nfrom stepnet.cli import main\n"
            "def writes():\n"
            "    return int(next(l for l in open('/proc/self/io') if l.startswith('syscw')).split()[1])\n"
            "before = writes()\nmain(['trace', 'mnist_shape', '--format', 'json'])\nafter = writes()\n"
            "print(after - before, file=sys.stderr)\n")
    out = tmp_path / "trace.json"
    with out.open("wb") as f:
        r = subprocess.run([sys.executable, "-c", code], stdout=f, stderr=subprocess.PIPE, text=True,
                           env={"PYTHONUNBUFFERED": "1", "PATH": ""}, timeout=60, check=True)
    size = out.stat().st_size
    assert size > 2 * BLOCK and json.loads(out.read_bytes())["title"]
    assert size / int(r.stderr) >= BLOCK / 4, (r.stderr, size)  # bytes per system call
