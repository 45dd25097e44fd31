"""Generated scenarios, valid and mutated: the loader accepts them and the engine runs,
or it raises `ScenarioError` with one line naming the file — never anything else."""

from __future__ import annotations

import math
import os
import string
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stepnet import scenario as scenario_file
from stepnet.engine.expect import check
from stepnet.errors import ScenarioError
from stepnet.limits import Limits

#: STEPNET_FUZZ_EXAMPLES=5000 for a long hunt; 200 keeps the suite quick
FUZZ = settings(max_examples=int(os.environ.get("STEPNET_FUZZ_EXAMPLES", 200)), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
#: small limits keep every accepted scenario cheap to run
LIMITS = Limits(parameters=2_000, samples=64)


# --- a small TOML writer ----------------------------------------------------------------


def toml_string(s: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_key(k: str) -> str:
    return k if k and all(c in string.ascii_letters + string.digits + "_-" for c in k) else toml_string(k)


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def dumps(doc: dict[str, Any]) -> str:
    """Top-level values, then [tables] and [[arrays of tables]]; anything deeper inline."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items() if not _section(v)]
    for k, v in doc.items():
        if isinstance(v, dict) and v:
            lines += ["", f"[{toml_key(k)}]"]
            plain = {sk: sv for sk, sv in v.items() if not (_section(sv) and isinstance(sv, list))}
            lines += [f"{toml_key(sk)} = {toml_value(sv)}" for sk, sv in plain.items()]
            for sk, sv in v.items():
                if sk not in plain:
                    lines += _array_of_tables(f"{toml_key(k)}.{toml_key(sk)}", sv)
        elif isinstance(v, list) and _section(v):
            lines += _array_of_tables(toml_key(k), v)
    return "\n".join(lines) + "\n"


def _section(v: Any) -> bool:
    return (isinstance(v, dict) and bool(v)) or (isinstance(v, list) and bool(v) and all(isinstance(t, dict) for t in v))


def _array_of_tables(header: str, tables: list[dict[str, Any]]) -> list[str]:
    lines = []
    for t in tables:
        lines += ["", f"[[{header}]]"] + [f"{toml_key(k)} = {toml_value(v)}" for k, v in t.items()]
    return lines


def test_the_writer_round_trips() -> None:
    import tomllib

    doc = {"a": 1, "s": 'q"\\\n\x7f é', "f": [1.5, -0.0, 1e300], "t": {"x": [[1, 2]], "u": [{"k": True}],
           "e": {}}, "arr": [{"n": {"deep": [1]}}, {}], "weird key": False}
    assert tomllib.loads(dumps(doc)) == doc


# --- strategies -------------------------------------------------------------------------

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
WEIGHT = st.floats(-3, 3, allow_nan=False)


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario the loader must accept: sizes, weights, data and expectations that fit."""
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    inputs, units = sizes[0], sizes[1:]
    loss = draw(st.sampled_from(["half_sse", "sse", "mse", "cross_entropy", "binary_cross_entropy"]))
    layers = []
    for l, (fan_in, n) in enumerate(zip(sizes, units), start=1):
        last = l == len(units)
        act = draw(st.sampled_from(["softmax", "sigmoid"] if last and "entropy" in loss else
                                   ACTIVATIONS + (["softmax"] if last else [])))
        layer: dict[str, Any] = {"units": n, "activation": act}
        if draw(st.booleans()):
            layer["weights"] = draw(st.lists(st.lists(WEIGHT, min_size=fan_in, max_size=fan_in), min_size=n, max_size=n))
        else:
            layer["init"] = draw(st.sampled_from(["xavier", "he", "normal", "uniform", "zeros"]))
        layer["bias"] = draw(st.one_of(st.just(False), WEIGHT, st.lists(WEIGHT, min_size=n, max_size=n)))
        if act == "leaky_relu" and draw(st.booleans()):
            layer["negative_slope"] = draw(st.floats(0, 1))
        if not last and draw(st.booleans()):
            layer["dropout"] = draw(st.floats(0, 0.9))
        layers.append(layer)
    samples = draw(st.integers(1, 5))
    x = draw(st.lists(st.lists(WEIGHT, min_size=inputs, max_size=inputs), min_size=samples, max_size=samples))
    out = units[-1]
    if loss == "cross_entropy":
        y = [np.eye(out)[draw(st.integers(0, out - 1))].tolist() for _ in range(samples)]
    else:
        y = draw(st.lists(st.lists(st.floats(0, 1), min_size=out, max_size=out), min_size=samples, max_size=samples))
    optimizer: dict[str, Any] = {"kind": draw(st.sampled_from(["sgd", "momentum"])),
                                 "learning_rate": draw(st.floats(1e-4, 10))}
    names = [f"{p}{l}" for l, layer in enumerate(layers, 1) for p in "Wb" if p == "W" or layer["bias"] is not False]
    optimizer["frozen"] = draw(st.lists(st.sampled_from(names), unique=True, max_size=2))
    doc = {"title": draw(st.text(max_size=20)), "seed": draw(st.integers(0, 2**32)),
           "network": {"inputs": inputs, "layers": layers}, "loss": {"kind": loss},
           "optimizer": optimizer, "data": {"inputs": x, "targets": y, "batch_size": draw(st.integers(1, samples)),
                                            "shuffle": draw(st.booleans())}}
    doc["expect"] = []
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(["loss", "a1", f"a{len(units)}", "z1", "delta1", "grad_W1", "W1"]))
        index = {} if name == "loss" else {"index": [0, 0]}
        doc["expect"].append({"name": name, "iteration": draw(st.integers(1, 2)), **index, "value": 0.5,
                              "tolerance": 10.0})
    return doc


# values a hand-written or hostile file might hold anywhere
STRANGE = st.recursive(
    st.one_of(st.booleans(), st.integers(), st.integers(-2, 2), st.just(2**70), st.just(-(2**63)),
              st.floats(), st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, math.nan, math.inf]),
              st.text(max_size=12), st.sampled_from(["sigmoid", "softmax", "W1", "b1", "a1", "", "data.csv"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a document: dict keys and list indices."""
    out = [prefix] if prefix else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for k, v in items:
        out += _paths(v, prefix + (k,))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for k in path[:-1]:
        doc = doc[k]
    return doc


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with one to three things broken: a key dropped, a value replaced by a
    strange one, an unknown key added, a list lengthened or shortened, a value buried deep."""
    doc = draw(valid_documents())
    for _ in range(draw(st.integers(1, 3))):
        # deepest first: hypothesis leans towards the first choice, and leaves are the most varied
        path = draw(st.sampled_from(sorted(_paths(doc), key=len, reverse=True)))
        parent, key = _parent(doc, path), path[-1]
        kind = draw(st.sampled_from(["replace", "grow", "shrink", "bury", "add", "drop"]))
        if kind == "drop":
            del parent[key]
        elif kind == "replace":
            parent[key] = draw(STRANGE)
        elif kind == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(STRANGE)
        elif kind == "grow" and isinstance(parent[key], list):
            parent[key].append(draw(STRANGE))
        elif kind == "shrink" and isinstance(parent[key], list) and parent[key]:
            parent[key].pop()
        elif kind == "bury":
            value = parent[key]
            for _ in range(draw(st.integers(1, 40))):
                value = [value]
            parent[key] = value
    return doc


# --- the property -----------------------------------------------------------------------


def load_and_run(path: Path) -> scenario_file.Scenario | None:
    """Load; on success run an iteration fast, step a few ops, step back, check expectations.
    Returns None when the loader refused, after checking the refusal's message."""
    try:
        s = scenario_file.load(path, LIMITS)
    except ScenarioError as e:
        text = str(e)
        assert text.startswith(f"{path}: ") and "\n" not in text and e.message, text
        event(f"refused at {e.field.split('.')[0].split('[')[0] or 'file level'}")
        return None
    event("accepted")
    d = s.debugger()
    d.run_iterations(1)
    for _ in range(min(5, d.n_ops)):
        d.step()
    d.back()
    d.explain((0,) * np.ndim(d.values[d.last_op.output]))
    check(s.debugger(), [e for e in s.expectations if e.iteration <= 2])
    return s


@FUZZ
@given(doc=valid_documents())
def test_valid_documents_load_and_run(doc: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_text(dumps(doc), encoding="utf-8")
    assert load_and_run(path) is not None


@FUZZ
@given(doc=mutated_documents())
def test_mutated_documents_run_or_are_refused(doc: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_text(dumps(doc), encoding="utf-8")
    load_and_run(path)


@FUZZ
@given(doc=valid_documents(), edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 3), st.text(max_size=4)),
                                             min_size=1, max_size=4))
def test_edited_text_runs_or_is_refused(doc: dict[str, Any], edits: list[tuple[int, int, str]], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Characters deleted and inserted anywhere in the text: syntax errors, cut numbers, keys."""
    text = dumps(doc)
    for at, cut, new in edits:
        at = at * (len(text) + 1) // (10**6 + 1)  # anywhere, not mostly at the start
        text = text[:at] + new + text[at + cut:]
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_text(text, encoding="utf-8")
    load_and_run(path)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_are_refused(raw: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_bytes(raw)
    assert load_and_run(path) is None  # 200 bytes cannot spell a whole scenario by chance


# --- data files ---------------------------------------------------------------------------

DATA_SCENARIO = dumps({"title": "data file", "network": {"inputs": 2, "layers": [
    {"units": 2, "activation": "sigmoid", "init": "xavier"}]}, "loss": {"kind": "half_sse"},
    "optimizer": {"learning_rate": 0.5}, "data": {"file": "data"}})


@st.composite
def npy_members(draw: st.DrawFn) -> bytes:
    """An .npy header of any shape and dtype (object included), then bytes that may not fit it."""
    import io

    header = io.BytesIO()
    shape = tuple(draw(st.lists(st.integers(0, 5), max_size=3)))
    descr = draw(st.sampled_from(["<f8", "<i4", ">f4", "|u1", "|b1", "<c16", "|O", "<U3", "|V8"]))
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": draw(st.booleans()),
                                                  "shape": shape})
    return header.getvalue() + draw(st.binary(max_size=120))


@FUZZ
@given(members=st.dictionaries(st.sampled_from(["inputs.npy", "targets.npy", "inputs", "x.npy"]),
                               npy_members(), max_size=3),
       compressed=st.booleans(), cut=st.integers(0, 400))
def test_npz_files_load_or_are_refused(members: dict[str, bytes], compressed: bool, cut: int,
                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    """Archives whose members lie about their shape and dtype, or are cut short."""
    import io
    import zipfile

    root = tmp_path_factory.mktemp("fuzz")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    raw = archive.getvalue()
    (root / "d.npz").write_bytes(raw[:cut] if cut < len(raw) // 2 else raw)
    (root / "s.toml").write_text(DATA_SCENARIO.replace('"data"', '"d.npz"'))
    load_and_run(root / "s.toml")


@FUZZ
@given(rows=st.lists(st.lists(st.one_of(st.floats(), st.integers(-3, 3), st.text(max_size=4)), max_size=5),
                     max_size=6))
def test_csv_files_load_or_are_refused(rows: list[list[Any]], tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "d.csv").write_text("\n".join(",".join(map(str, r)) for r in rows), encoding="utf-8")
    (root / "s.toml").write_text(DATA_SCENARIO.replace('"data"', '"d.csv"'))
    load_and_run(root / "s.toml")
