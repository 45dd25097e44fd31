"""What-if edits saved as a new scenario: the original's text with the values changed in
place and every comment kept; what cannot change in place written out whole and said so;
never over an existing file; the original never touched; and where each value lies in a
TOML text, checked against tomllib's reading of it."""

from __future__ import annotations

import difflib
import errno
import os
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepnet import scenario
from stepnet.bundled import DIRECTORY
from stepnet.engine.edits import apply, parse
from stepnet.tomlspans import read
from stepnet.engine.names import Name
from stepnet.engine.program import build_program
from stepnet.whatif import SaveError, _Writer, save

EXAMPLES = sorted(DIRECTORY.glob("**/*.toml"))


def edits_of(s, *pairs, iteration: int = 1):
    return [replace(parse(text, s.model, s.data, s.notation.names, iteration), value=value) for text, value in pairs]


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(removed, added) lines, paired."""
    diff = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "-+"]
    return [(a[2:], b[2:]) for a, b in zip(diff[::2], diff[1::2])] if all(
        a.startswith("-") and b.startswith("+") for a, b in zip(diff[::2], diff[1::2])) else [("?", "\n".join(diff))]


def same_run(a, b) -> bool:
    sa, sb = a.model.initial_state(), b.model.initial_state()
    return (sa.keys() == sb.keys() and all(np.array_equal(sa[k], sb[k]) for k in sa)
            and np.array_equal(a.data.inputs, b.data.inputs) and np.array_equal(a.data.targets, b.data.targets)
            and a.model.optimizer.learning_rate == b.model.optimizer.learning_rate)


def test_the_values_change_in_place_and_everything_else_stays(tmp_path) -> None:
    s = scenario.load(DIRECTORY / "mazur.toml")
    original = s.path.read_bytes()
    edits = edits_of(s, ("w5", 0.0), ("b2[1]", 1.25), ("lr", 2.0), ("a0[0,1]", 0.2), ("y[0,0]", 0.5), ("w5", -1.5))
    saved = save(s, edits, tmp_path / "whatif.toml")
    bias, kept = saved.notes  # what is not changed in place, and what the edits may make untrue, is said
    assert bias.startswith("layer 2's bias is written out whole") and "one number for the layer" in bias
    assert kept.startswith(f"the description and the {len(s.expectations)} [[expect]] figures are the original's")
    text = saved.path.read_text()
    first, second, rest = text.split("\n", 2)
    assert first.startswith("# What-if edits of mazur.toml, saved by stepnet: ") and "W2[0,0] = -1.5" in first
    assert "W2[0,0] = 0.0" not in first  # the value as it ends
    assert second.startswith(f"# The description and the {len(s.expectations)} [[expect]] figures are mazur.toml's")
    assert changed_lines(original.decode(), rest) == [
        ("weights = [[0.40, 0.45], [0.50, 0.55]]", "weights = [[-1.5, 0.45], [0.50, 0.55]]"),
        ("bias = 0.60", "bias = [0.6, 1.25]"),  # one number for the layer: written per unit
        ("learning_rate = 0.5", "learning_rate = 2.0"),
        ("inputs = [[0.05, 0.10]]", "inputs = [[0.05, 0.2]]"),
        ("targets = [[0.01, 0.99]]", "targets = [[0.5, 0.99]]")]
    assert s.path.read_bytes() == original  # nothing the user wrote is modified
    back = scenario.load(saved.path)
    assert same_run(back, s._replace(program=build_program(*apply(s.model, s.data, edits))))
    assert [(e.name, e.index, e.iteration) for e in back.expectations] == [(e.name, e.index, e.iteration) for e in s.expectations]
    assert back.notation == s.notation


def test_never_over_an_existing_file(tmp_path) -> None:
    s = scenario.load(DIRECTORY / "mazur.toml")
    there = tmp_path / "taken.toml"
    there.write_text("mine")
    with pytest.raises(SaveError, match="already exists; choose another name"):
        save(s, edits_of(s, ("w5", 0.0)), there)
    assert there.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["taken.toml"]


def test_a_folder_that_cannot_take_the_file_is_a_refusal_and_leaves_nothing(tmp_path, monkeypatch) -> None:
    s = scenario.load(DIRECTORY / "mazur.toml")

    def full(path, text, **options):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("stepnet.whatif.write_atomically", full)
    with pytest.raises(SaveError, match=f"^cannot write {tmp_path / 'x.toml'}: {os.strerror(errno.ENOSPC)}$"):
        save(s, edits_of(s, ("w5", 0.0)), tmp_path / "x.toml")
    assert list(tmp_path.iterdir()) == []  # nothing left behind


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux's /proc takes no new file")
def test_a_real_folder_that_takes_no_file_is_a_refusal() -> None:
    s = scenario.load(DIRECTORY / "mazur.toml")
    with pytest.raises(SaveError, match="^cannot write /proc/x.toml: "):
        save(s, edits_of(s, ("w5", 0.0)), "/proc/x.toml")


def test_weights_drawn_by_an_init_are_written_out_with_those_drawn_after_them(tmp_path) -> None:
    s = scenario.load(DIRECTORY / "xor.toml")  # init = "xavier" in both layers, one generator
    edits = edits_of(s, ("W1[0,1]", 0.0))
    saved = save(s, edits, tmp_path / "x.toml")
    assert saved.notes[:2] == ('layer 1\'s weights are written out whole in place of its init ("xavier")',
                               'layer 2\'s weights are written out whole in place of its init ("xavier")')
    assert saved.notes[2].startswith("the description is the original's") and len(s.expectations) == 0
    back = scenario.load(saved.path)
    model, data = apply(s.model, s.data, edits)
    assert same_run(back, s._replace(program=build_program(model, data)))
    assert "init" not in tomllib.loads(saved.path.read_text())["network"]["layers"][1]


def test_files_are_found_from_the_new_file_s_folder_and_a_huge_value_is_refused(tmp_path) -> None:
    s = scenario.load(DIRECTORY / "compare" / "mlp.toml")
    saved = save(s, edits_of(s, ("lr", 0.05)), tmp_path / "mlp.toml")
    assert saved.notes[0] == "the paths to its files are relative to the new file's folder"
    back = scenario.load(saved.path)
    assert back.model.optimizer.learning_rate == 0.05 and np.array_equal(back.data.inputs, s.data.inputs)
    with pytest.raises(SaveError, match="layer 1's weights would be written out whole as 50,176 numbers"):
        save(s, edits_of(s, ("W1[0,0]", 0.0)), tmp_path / "big.toml")
    with pytest.raises(SaveError, match="the inputs come from a data file"):
        save(s, edits_of(s, ("a0[0,0]", 1.0)), tmp_path / "data.toml")


FROM_FILES = """\
title = "2-2-2, its first layer from a file"
[network]
inputs = 2
[[network.layers]]
units = 2
activation = "sigmoid"
weights = { file = "init.npz", key = "W1" }
bias = { file = "init.npz", key = "b1" }
[[network.layers]]
units = 2
activation = "sigmoid"
weights = [[0.40, 0.45], [0.50, 0.55]]
[loss]
kind = "half_sse"
[optimizer]
learning_rate = 0.5
[data]
inputs = [[0.05, 0.10]]
targets = [[0.01, 0.99]]
"""


@pytest.mark.parametrize("edited", ["W1[0,1]", "b1[1]", "W2[0,0]"])
def test_a_value_from_a_file_is_written_out_and_the_others_found_from_another_folder(tmp_path, edited) -> None:
    np.savez(tmp_path / "init.npz", W1=np.array([[0.15, 0.20], [0.25, 0.30]]), b1=np.array([0.35, 0.35]))
    (tmp_path / "a.toml").write_text(FROM_FILES)
    (tmp_path / "other").mkdir()
    s = scenario.load(tmp_path / "a.toml")
    edits = edits_of(s, (edited, 9.0))
    saved = save(s, edits, tmp_path / "other" / "a.toml")
    back = scenario.load(saved.path)
    model, data = apply(s.model, s.data, edits)
    assert same_run(back, s._replace(program=build_program(model, data)))
    layer = tomllib.loads(saved.path.read_text())["network"]["layers"][0]
    for key, name in (("weights", "W1"), ("bias", "b1")):  # the edited one written out, the other found
        assert layer[key] == (back.model.initial[Name.parse(name)].tolist() if edited.startswith(name)
                              else {"file": "../init.npz", "key": name})


def test_two_changes_of_the_same_text_are_refused() -> None:
    s = scenario.load(DIRECTORY / "mazur.toml")
    writer = _Writer(s, edits_of(s, ("w5", 0.0)), read(s.path.read_text()))
    found = writer.doc.find(("optimizer", "learning_rate"))
    writer._replace(found, "1.0", ("optimizer", "learning_rate"))
    with pytest.raises(SaveError, match="would change characters .* twice"):
        writer._replace(found, "2.0", ("optimizer", "learning_rate"))


DRAWN = """\
title = "3 units drawn, a bias by default"
[network]
inputs = 10
[[network.layers]]
units = 3
activation = "sigmoid"
init = "normal"
scale = 0.5
[[network.layers]]
units = 1
activation = "sigmoid"
weights = [[0.1, 0.2, 0.3]]
[loss]
kind = "half_sse"
[optimizer]
learning_rate = 0.5
[data]
inputs = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]
targets = [[1.0]]
"""


def test_a_windows_file_stays_crlf_in_every_line_written(tmp_path) -> None:
    (tmp_path / "crlf.toml").write_bytes(DRAWN.replace("\n", "\r\n").encode())
    s = scenario.load(tmp_path / "crlf.toml")
    edits = edits_of(s, ("W1[0,0]", 9.0), ("b2[0]", 1.0), ("lr", 0.1))  # drawn weights, a bias added
    saved = save(s, edits, tmp_path / "saved.toml").path.read_bytes()
    assert saved.count(b"\n") == saved.count(b"\r\n") > DRAWN.count("\n") + 3  # the 3 rows of W1 on lines
    model, data = apply(s.model, s.data, edits)
    assert same_run(scenario.load(tmp_path / "saved.toml"), s._replace(program=build_program(model, data)))


def test_an_init_that_draws_nothing_is_kept_after_one_written_out(tmp_path) -> None:
    path = tmp_path / "zeros.toml"
    path.write_text(DRAWN.replace('weights = [[0.1, 0.2, 0.3]]', 'init = "zeros"'))
    s = scenario.load(path)
    saved = save(s, edits_of(s, ("W1[0,0]", 9.0)), tmp_path / "saved.toml")
    layers = tomllib.loads(saved.path.read_text())["network"]["layers"]
    assert "weights" in layers[0] and layers[1]["init"] == "zeros"  # zeros draws nothing from the seed


def test_weights_in_a_table_of_their_own_are_said_to_be_and_the_others_saved(tmp_path) -> None:
    np.savez(tmp_path / "init.npz", W1=np.array([[0.15, 0.20], [0.25, 0.30]]), b1=np.array([0.35, 0.35]))
    (tmp_path / "sub.toml").write_text(FROM_FILES.replace('weights = { file = "init.npz", key = "W1" }\n', "")
                                       .replace("[[network.layers]]\nunits = 2\nactivation = \"sigmoid\"\nweights = [[0.4",
                                                "[network.layers.weights]\nfile = \"init.npz\"\nkey = \"W1\"\n"
                                                "[[network.layers]]\nunits = 2\nactivation = \"sigmoid\"\n"
                                                "weights = [[0.4"))
    (tmp_path / "other").mkdir()
    s = scenario.load(tmp_path / "sub.toml")
    with pytest.raises(SaveError, match=r"layer 1's weights are a table of their own, \[network.layers.weights\]"):
        save(s, edits_of(s, ("W1[0,0]", 9.0)), tmp_path / "other" / "w1.toml")
    saved = save(s, edits_of(s, ("W2[0,0]", 9.0)), tmp_path / "other" / "w2.toml")
    assert tomllib.loads(saved.path.read_text())["network"]["layers"][0]["weights"]["file"] == "../init.npz"
    assert scenario.load(saved.path).model.initial[Name.parse("W2")][0, 0] == 9.0


def test_a_text_that_changes_more_than_the_edited_values_is_refused(tmp_path) -> None:
    s = scenario.load(DIRECTORY / "mazur.toml")
    writer = _Writer(s, edits_of(s, ("w5", 0.0)), read(s.path.read_text()))
    text = writer.edited(tmp_path)
    writer.check(text, tmp_path / "fine.toml")
    for wrong in (text.replace("tolerance = 1e-9", "tolerance = 1e-8", 1), text.replace("[[0.15,", "[[0.16,", 1)):
        assert wrong != text
        with pytest.raises(SaveError, match="differ from the original in more than the values changed"):
            writer.check(wrong, tmp_path / "wrong.toml")


def test_a_graph_s_leaf_changes_inside_its_inline_table(tmp_path) -> None:
    s = scenario.load(DIRECTORY / "micrograd.toml")
    saved = save(s, edits_of(s, ("b", 3.0)), tmp_path / "g.toml")
    assert "inputs = { a = -4.0, b = 3.0 }" in saved.path.read_text()
    assert float(scenario.load(saved.path).model.leaves[s.model.parameter_names()[1]]) == 3.0


TRICKY = '''# a comment
"quoted key" = 'literal # not a comment'
"escaped \\U0001F600 key" = 1
"a	tab" = 2
a.b = 1_000   # dotted
multi = """
one "quote" and two ""
""" # after
lit = \'\'\'x\'\'\'
arr = [   # a comment inside
  [1.5, -2e-3],  # more
  [+inf, 3],
]
t = { x = 1, y.z = [true, false], s = "a\\"b" }
when = 1979-05-27T07:32:00Z

[[items]]
name = "first"
[[items]]
name = "second"
vals = [1, [2, [3]]]
[table."with dots"]
k = -0.0
'''


def walk(doc, value, path=()):
    """Every (path, tomllib's value) of a document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(doc, v, (*path, k))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for k, v in enumerate(value):
            yield from walk(doc, v, (*path, k))
    else:
        yield path, value


def assert_spans_read_as_tomllib(text: str) -> int:
    """Each value's text (and each element's of an array) reads as tomllib reads the value
    at its path, and each header is a table's; how many values there are."""
    doc, spans = tomllib.loads(text), read(text)
    seen = 0
    for where, value in walk(doc, doc):
        found = spans.find(where)
        assert found is not None, where
        assert tomllib.loads(f"x = {text[found.start:found.end]}")["x"] == value, where
        if isinstance(value, list) and value and not isinstance(value[0], dict):
            for k, item in enumerate(found.items):  # and each element of an array
                assert tomllib.loads(f"x = {text[item.start:item.end]}")["x"] == value[k]
        seen += 1
    for where in spans.headers:
        table = doc
        for part in where:
            table = table[part]
        assert isinstance(table, dict), where
    return seen


@pytest.mark.parametrize("path", [*EXAMPLES, "tricky"], ids=lambda p: getattr(p, "name", p))
def test_each_value_s_text_reads_back_as_tomllib_reads_it(path) -> None:
    assert assert_spans_read_as_tomllib(TRICKY if path == "tricky" else Path(path).read_text()) > 3


def test_a_sub_table_under_an_array_of_tables_is_that_table_s() -> None:
    text = "[[a]]\nx = 1\n[a.sub]\ny = 2\n[[a.b]]\nz = 3\n[[a]]\n[[a.b]]\nz = 4\n[[a.b]]\nz = 5\n[a.b.c]\nw = 6\n"
    spans = read(text)
    assert {path: text[e.value.start:e.value.end] for path, e in spans.entries.items()} == {
        ("a", 0, "x"): "1", ("a", 0, "sub", "y"): "2", ("a", 0, "b", 0, "z"): "3", ("a", 1, "b", 0, "z"): "4",
        ("a", 1, "b", 1, "z"): "5", ("a", 1, "b", 1, "c", "w"): "6"}
    assert_spans_read_as_tomllib(text)


# --- generated documents: every kind of key, value, table and array of tables ---------------

SCALARS = ["1", "-2.5e3", "+inf", "1_000", "0x1F", "true", "1979-05-27", "07:32:00", '"s\\"q # no"',
           "'lit # no'", '"""one\n"two" ""\n"""', "'''raw\nx'''", "-0.0"]
#: key names, each spelt bare (if it can be), in double quotes (escaped or not) or single
NAMES = ["a", "b-1", "x y", "q.z", "t\tab", "é", "😀", "s'q"]


@st.composite
def key(draw, name: str) -> str:
    spellings = ['"' + "".join(draw(st.sampled_from([c, f"\\u{ord(c):04X}" if ord(c) < 0x10000 else c,
                                                      f"\\U{ord(c):08X}"])) for c in name) + '"']
    spellings += [name] if re.fullmatch(r"[A-Za-z0-9_-]+", name) else []
    spellings += [f"'{name}'"] if "'" not in name else []
    return draw(st.sampled_from(spellings))


@st.composite
def value(draw, depth: int) -> str:
    kinds = ["scalar"] + (["array", "inline"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "scalar":
        return draw(st.sampled_from(SCALARS))
    if kind == "array":
        items = draw(st.lists(value(depth + 1), max_size=3))
        gap = draw(st.sampled_from([" ", "\n  ", "  # c\n  "]))
        return "[" + gap + ("," + gap).join(items) + (draw(st.sampled_from(["", ","])) if items else "") + gap + "]"
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    return "{ " + ", ".join(f"{draw(key(n))} = {draw(value(depth + 1))}" for n in names) + " }"


@st.composite
def table(draw, header: str, depth: int) -> str:
    """A table's entries, then its sub-tables and arrays of tables under their headers."""
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
    kinds = [draw(st.sampled_from(["value", "table", "tables"] if depth < 3 else ["value"])) for _ in names]
    text = "".join(f"{draw(key(n))} = {draw(value(0))}{draw(st.sampled_from(['', '  # c']))}\n"
                   for n, k in zip(names, kinds) if k == "value")
    dot = draw(st.sampled_from([".", " . "]))
    for n, k in zip(names, kinds):
        path = f"{header}{dot}{draw(key(n))}" if header else draw(key(n))
        if k == "table":
            text += f"[{path}]\n" + draw(table(path, depth + 1))
        elif k == "tables":
            for _ in range(draw(st.integers(1, 2))):
                text += f"[[{path}]]\n" + draw(table(path, depth + 1))
    return text


@settings(max_examples=60, deadline=None)
@given(table("", 0))
def test_where_each_value_lies_in_a_generated_document(text) -> None:
    assert_spans_read_as_tomllib(text)


def test_a_scenario_read_within_raised_limits_is_saved_within_them(tmp_path) -> None:
    """A 102-layer network opened with --max-layers 200 was read again, to save, within the
    default 100 layers: 'Not saved: … more than the limit of 100 (raise it with --max-layers)'."""
    from stepnet.limits import Limits

    layer = '[[network.layers]]\nunits = 1\nactivation = "identity"\nweights = [[0.5]]\n'
    deep = tmp_path / "deep.toml"
    deep.write_text('title = "deep"\n[network]\ninputs = 1\n' + layer * 102 + '[loss]\nkind = "half_sse"\n'
                    '[optimizer]\nlearning_rate = 0.1\n[data]\ninputs = [[1.0]]\ntargets = [[0.5]]\n')
    with pytest.raises(scenario.ScenarioError, match="more than the limit of 100"):
        scenario.load(deep)
    s = scenario.load(deep, Limits(layers=200))
    saved = save(s, edits_of(s, ("lr", 0.25)), tmp_path / "whatif.toml")
    back = scenario.load(saved.path, Limits(layers=200))
    assert back.model.optimizer.learning_rate == 0.25 and back.model.depth == 102


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])).map(lambda t: t + "\x7f"))
def test_a_string_or_key_written_reads_back_as_itself(text: str) -> None:
    """Every character, DEL included: JSON's quoting wrote it raw, which TOML refuses, so a
    file name holding it was relocated into a file that would not open."""
    from stepnet.fields import key_text, string_text

    assert tomllib.loads(f"{key_text(text)} = {string_text(text)}") == {text: text}
