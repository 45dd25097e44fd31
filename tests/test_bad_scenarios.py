"""The bad-scenario corpus: every broken file is refused with exit 2 and one line naming
the file and the field, from every command and from the debugger, never with a traceback.

The cases are `tests/bad_scenarios/NAME.toml` with `NAME.expected` (see its README);
a few that cannot be shipped (a missing or unreadable file, a FIFO) are made here.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
import typing
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from stepnet import cli
from stepnet import scenario as scenario_file
from stepnet.errors import ScenarioError
from stepnet.fields import Table
from stepnet.limits import Limits

CORPUS = Path(__file__).resolve().parent / "bad_scenarios"
BASE = CORPUS / "valid" / "base.toml"


@dataclass(frozen=True)
class Case:
    name: str
    field: str
    fragments: tuple[str, ...]
    args: tuple[str, ...] = ()


def read_case(expected: Path) -> Case:
    """A `NAME.expected` file: `field:`, one or more `message:` and an optional `args:` line."""
    field, fragments, args = None, [], ()
    for line in expected.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if key == "field":
            field = value
        elif key == "message":
            fragments.append(value)
        elif key == "args":
            args = tuple(value.split())
    assert field is not None and fragments, f"{expected} needs a field: and a message: line"
    return Case(expected.stem, field, tuple(fragments), args)


CASES = [read_case(p) for p in sorted(CORPUS.glob("*.expected"))]


# --- the binary data files, written into the test's copy of the corpus ---------------


def _npy(shape: tuple[int, ...], descr: str, payload: bytes = b"") -> bytes:
    """An .npy header for `shape` and `descr`, then `payload` (which need not match)."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": descr, "fortran_order": False, "shape": shape})
    return out.getvalue() + payload


def _savez(path: Path, **arrays: np.ndarray) -> None:
    with path.open("wb") as f:
        np.savez(f, **arrays)


def _zip(path: Path, **members: bytes) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(f"{name}.npy", data)


DATA_FILES = {
    "single.npz": lambda p: p.write_bytes(_npy((1, 2), "<f8", np.zeros(2).tobytes())),
    # the header says "object", the payload is not a pickle: refused before it is read
    "object_array.npz": lambda p: _zip(p, inputs=_npy((1, 2), "|O", b"not a pickle"),
                                       targets=_npy((1, 2), "<f8", np.zeros(2).tobytes())),
    "no_targets.npz": lambda p: _savez(p, inputs=np.array([[0.05, 0.10]])),
    "wide_inputs.npz": lambda p: _savez(p, inputs=np.zeros((1, 3)), targets=np.array([[0.01, 0.99]])),
    # parameters from a file: one of each mistake
    "params.npz": lambda p: _savez(p, W1=np.array([[0.15, 0.20], [0.25, 0.30]]), b1=np.array([[0.35, 0.35]]),
                                   wide=np.zeros((2, 3)), nan=np.array([[0.15, np.nan], [0.25, 0.30]]),
                                   words=np.array(["a", "b"])),
    # a header declaring a 2×2 matrix over 8 bytes: numpy would allocate what it declares
    "short.npz": lambda p: _zip(p, W1=_npy((2, 2), "<f8", np.zeros(1).tobytes())),
}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the corpus with its binary data files written in."""
    root = tmp_path_factory.mktemp("corpus") / "bad_scenarios"
    shutil.copytree(CORPUS, root)
    for name, make in DATA_FILES.items():
        make(root / "data" / name)
    return root


def assert_refused(status: int, out: str, err: str, file: Path | str, case: Case) -> None:
    """Exit 2, nothing on stdout, one line on stderr naming the file and the field."""
    assert status == 2, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    prefix = f"stepnet: {file}: {case.field}: " if case.field else f"stepnet: {file}: "
    assert lines[0].startswith(prefix), lines[0]
    for fragment in case.fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


# --- the corpus -----------------------------------------------------------------------


def test_corpus_pairs_every_file_with_its_message() -> None:
    scenarios = {p.stem for p in CORPUS.glob("*.toml")}
    assert scenarios == {c.name for c in CASES}
    assert len(CASES) >= 50


@pytest.mark.parametrize("limits", [[], ["--max-parameters", "12", "--max-samples", "1"]])
def test_the_base_the_corpus_breaks_is_valid(limits: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(["check", *limits, str(BASE)], capsys)
    assert (status, err) == (0, "")
    assert "1 figure confirmed" in out


def test_the_graph_base_the_corpus_breaks_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(["check", str(CORPUS / "valid" / "graph.toml")], capsys)
    assert (status, err) == (0, "")
    assert "1 figure confirmed" in out


@pytest.mark.parametrize("command", ["check", "trace", "gradcheck", "train", "export"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_command_refuses_with_one_line(case: Case, command: str, corpus: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    file = corpus / f"{case.name}.toml"
    assert_refused(*run_main([command, *case.args, str(file)], capsys), file, case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_debugger_shows_the_message_and_never_starts(case: Case, corpus: Path, app_started: list[object],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    file = corpus / f"{case.name}.toml"
    assert_refused(*run_main([str(file), *case.args], capsys), file, case)
    assert app_started == []


def test_the_stand_in_app_does_start_on_a_valid_scenario(app_started: list[object],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([str(BASE)]) == 0
    assert len(app_started) == 1


SAMPLE = ["binary", "not_utf8", "utf16", "empty", "directory", "syntax_unquoted_string", "syntax_deep_nesting",
          "unknown_key_with_escapes", "shape_weights_ragged", "data_file_object_array", "limit_parameters_default",
          "limit_samples_flag"]


@pytest.mark.parametrize("debugger", [False, True], ids=["check", "debugger"])
@pytest.mark.parametrize("name", SAMPLE)
def test_a_sample_from_a_real_process(name: str, debugger: bool, corpus: Path) -> None:
    case = next(c for c in CASES if c.name == name)
    file = corpus / f"{name}.toml"
    argv = [str(file), *case.args] if debugger else ["check", *case.args, str(file)]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "stepnet", *argv], capture_output=True, text=True,
                       encoding="utf-8", env=env, timeout=60)
    assert_refused(r.returncode, r.stdout, r.stderr, file, case)


def test_no_scenario_or_data_file_is_written(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def snapshot() -> dict[Path, tuple[bytes, int]]:
        return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in corpus.rglob("*") if p.is_file()}

    before = snapshot()
    for case in CASES:
        cli.main(["check", *case.args, str(corpus / f"{case.name}.toml")])
    capsys.readouterr()
    assert snapshot() == before


# --- cases made here: what a repository cannot hold -----------------------------------


def refuses(capsys: pytest.CaptureFixture[str], file: Path, field: str, *fragments: str) -> None:
    assert_refused(*run_main(["check", str(file)], capsys), file, Case(file.stem, field, fragments))


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refuses(capsys, tmp_path / "nowhere.toml", "", "no such file")


def test_a_file_name_too_long_for_the_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Refused, and named by its start and end, not echoed whole."""
    file = tmp_path / ("x" * 5000 + ".toml")
    status, out, err = run_main(["check", str(file)], capsys)
    assert (status, out) == (2, "")
    assert err.startswith(f"stepnet: {str(file)[:90]}") and " … " in err
    assert err.endswith("xxx.toml: cannot read: File name too long\n")
    assert len(err) < 300


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_not_read_forever(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    refuses(capsys, fifo, "", "is not a regular file")


ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `path` unreadable: by its permissions, or (as root, who ignores them) by making
    reading it fail the way the system would."""
    if not ROOT:
        path.chmod(0)
        return
    for method in ("open", "read_bytes", "read_text"):
        original = getattr(Path, method)

        def denied(self: Path, *a: object, _original=original, **k: object) -> object:
            if self.resolve() == path.resolve():
                raise PermissionError(13, "Permission denied", str(self))
            return _original(self, *a, **k)

        monkeypatch.setattr(Path, method, denied)


def test_an_unreadable_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "secret.toml"
    shutil.copy(BASE, file)
    _unreadable(file, monkeypatch)
    refuses(capsys, file, "", "cannot read: Permission denied")


def test_an_unreadable_data_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(CORPUS / "data" / "three_samples.csv", tmp_path / "data" / "x.csv")
    file = tmp_path / "s.toml"
    file.write_text(CORPUS.joinpath("limit_samples_file_flag.toml").read_text().replace("three_samples", "x"))
    _unreadable(tmp_path / "data" / "x.csv", monkeypatch)
    refuses(capsys, file, "data.file", "cannot read 'data/x.csv': Permission denied")


def test_a_data_path_is_relative_to_the_scenario_not_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s" / "data").mkdir(parents=True)
    shutil.copy(CORPUS / "data" / "three_samples.csv", tmp_path / "s" / "data" / "three_samples.csv")
    file = tmp_path / "s" / "scenario.toml"
    file.write_text(CORPUS.joinpath("limit_samples_file_flag.toml").read_text())
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    status, out, err = run_main(["trace", "--format", "json", os.path.join("..", "s", "scenario.toml")], capsys)
    assert (status, err) == (0, "")
    assert '"a0 = x[batch], y = targets[batch]"' in out


# --- the loader's pieces ----------------------------------------------------------------


def test_table_number_promises_a_float_unless_its_default_is_none() -> None:
    """What `Table.number` is annotated to return is what it returns, per kind of default."""
    promised = {}
    for overload in typing.get_overloads(Table.number):
        hints = typing.get_type_hints(overload)
        promised[hints["default"]] = hints["return"]
    assert promised == {float: float, type(None): float | None}
    table = Table(BASE, "optimizer", {"learning_rate": 2}, ("learning_rate", "momentum"))
    assert type(table.number("learning_rate")) is float
    assert type(table.number("momentum", 0)) is float
    assert table.number("momentum", None) is None


def test_an_npy_renamed_npz_is_refused_before_its_array_is_read(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """np.load would read the whole 16 MB array before it could tell it is no archive."""
    (tmp_path / "data").mkdir()
    with (tmp_path / "data" / "single.npz").open("wb") as f:
        np.save(f, np.zeros((1_000_000, 2)))
    file = tmp_path / "s.toml"
    shutil.copy(CORPUS / "data_file_single_npy.toml", file)
    tracemalloc.start()
    try:
        result = run_main(["check", "--max-samples", "10", str(file)], capsys)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(*result, file, Case(file.stem, "data.file", ("holds a single .npy array",)))
    assert peak < 4_000_000


def test_a_count_of_one_is_singular() -> None:
    """`1 sample`, not `1 samples`: the corpus cannot show it, as its fragments match anywhere."""
    with pytest.raises(ScenarioError) as limit:
        scenario_file.load(BASE, Limits(samples=0))
    assert limit.value.message == "1 sample, more than the limit of 0 (raise it with --max-samples)"
    with pytest.raises(ScenarioError) as mismatch:
        scenario_file.load(CORPUS / "data_sample_count_mismatch.toml")
    assert mismatch.value.message == "2 input samples but 1 target sample"


ONE_OUTPUT = """title = "one output unit"
[network]
inputs = 2
[[network.layers]]
units = 1
activation = "identity"
init = "zeros"
[loss]
kind = "half_sse"
[optimizer]
learning_rate = 0.1
[data]
file = "d.npz"
"""


@pytest.mark.parametrize("targets", [np.array([0.25, -1.5]), np.array([0, 1])], ids=["real", "whole"])
def test_one_value_per_sample_is_the_target_of_a_single_output_unit(targets: np.ndarray, tmp_path: Path) -> None:
    """With one output unit a 1-D `targets` is that unit's column (regression), never class labels."""
    _savez(tmp_path / "d.npz", inputs=np.zeros((2, 2)), targets=targets)
    (tmp_path / "s.toml").write_text(ONE_OUTPUT)
    loaded = scenario_file.load(tmp_path / "s.toml")
    np.testing.assert_array_equal(loaded.data.targets, targets.reshape(2, 1))


# --- hostile sizes: refused up front, in seconds and a few MB --------------------------


def refuses_quickly(capsys: pytest.CaptureFixture[str], file: Path, field: str, *fragments: str,
                    args: tuple[str, ...] = (), seconds: float = 5.0, bytes_: int = 20_000_000) -> None:
    """Refused as `refuses` says, within `seconds` and a peak of `bytes_` allocated by Python
    and NumPy (both trace their allocations through tracemalloc)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = run_main(["check", *args, str(file)], capsys)
        elapsed, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(*result, file, Case(file.stem, field, fragments))
    assert elapsed < seconds
    assert peak < bytes_


def test_a_10_gib_scenario_is_refused_before_it_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Read whole, it was a MemoryError; its size is checked before it is read."""
    file = tmp_path / "huge.toml"
    with file.open("wb") as f:
        f.truncate(10 * 2**30)  # sparse: no disk, no time
    refuses_quickly(capsys, file, "", "the file has 10,737,418,240 bytes, more than the limit of 10,000,000",
                    "--max-file-bytes")


def test_a_key_of_100000_parts_is_refused_before_tomllib_reads_it(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """tomllib took over a minute and gigabytes on this 200 KB file."""
    file = tmp_path / "dotted.toml"
    file.write_text('title = "t"\n' + ".".join(["a"] * 100_000) + " = 1\n")
    refuses_quickly(capsys, file, "", "the key at line 2 has 100,000 dotted parts, more than the limit of 32")


def test_keys_up_to_the_limit_and_quoted_parts_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """32 parts pass the limit (and fail later, for a field that does not exist); 33, two of
    them quoted (one holding a dot) and spaced as TOML allows, are refused."""
    file = tmp_path / "keys.toml"
    file.write_text('title = "t"\n' + ".".join(["a"] * 32) + " = 1\n")
    refuses(capsys, file, "a", "unknown key")
    file.write_text('title = "t"\n' + ".".join(["a"] * 31) + ' . "b.c" . \'d\' = 1\n')
    refuses(capsys, file, "", "the key at line 2 has 33 dotted parts")


def test_a_key_broken_by_a_unicode_line_separator_is_still_one_line(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """TOML ends a line with \\n alone: a quoted part holding U+2028 (a line break to
    str.splitlines) keeps 33 parts on one line, 16 dots each side of it."""
    file = tmp_path / "keys.toml"
    file.write_text('title = "t"\n' + ".".join(["a"] * 16) + '."x\u2028y".' + ".".join(["a"] * 16) + " = 1\n",
                    encoding="utf-8")
    refuses(capsys, file, "", "the key at line 2 has 33 dotted parts")


def test_dots_in_comments_and_strings_are_no_key(tmp_path: Path) -> None:
    """A comment line of 41 dotted dashes was refused as a key of 41 parts (review 2, bug 4);
    so were strings holding as many dots. Only keys count: at a line's start, in a header,
    in an inline table."""
    dots = ".".join(["a"] * 41)
    xor = (Path(scenario_file.__file__).parent / "examples" / "xor.toml").read_text()
    file = tmp_path / "dotted.toml"
    file.write_text("# " + ".".join("-" * 41) + f"\n# {dots}, {{ {dots} = 1\n"
                    + xor.replace('description = """', f'description = """\n{dots}, {dots}\n', 1)
                    + f'[notation.names]\n"n{dots}" = "loss"  # {{ {dots} = 1\n')
    loaded = scenario_file.load(file)
    assert dots in loaded.description and f"n{dots}" in loaded.notation.names.aliases


@pytest.mark.parametrize("written", ["[{dots}]", "[[ {dots} ]]", "x = {{ {dots} = 1 }}", "x = {{ b = 2, {dots} = 1 }}",
                                     "  {dots} = 1"])
def test_keys_in_headers_and_inline_tables_count(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  written: str) -> None:
    file = tmp_path / "keys.toml"
    file.write_text('title = "t" # a, b.c\n' + written.format(dots=".".join(["a"] * 33)) + "\n")
    refuses(capsys, file, "", "the key at line 2 has 33 dotted parts")


# --- links and names a file system allows ----------------------------------------------


def _naming(tmp_path: Path, case: str, old: str, new: str) -> Path:
    """A copy of corpus case `case` in tmp_path, naming the file `new` where it names `old`."""
    file = tmp_path / f"{case}.toml"
    file.write_text(CORPUS.joinpath(f"{case}.toml").read_text().replace(old, new))
    return file


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
@pytest.mark.parametrize("ring", [["self.npz"], ["a.npz", "b.npz"]], ids=["itself", "a-b-a"])
@pytest.mark.parametrize("case, old, field", [("data_file_missing", "no_such_file.npz", "data.file"),
                                              ("params_file_missing", "no_such_params.npz",
                                               "network.layers[0].weights.file")])
def test_a_loop_of_symbolic_links(ring: list[str], case: str, old: str, field: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Path.resolve raises RuntimeError on a loop in Python 3.11, which was a traceback."""
    (tmp_path / "data").mkdir()
    for link, target in zip(ring, ring[1:] + ring[:1]):
        (tmp_path / "data" / link).symlink_to(target)
    file = _naming(tmp_path, case, old, ring[0])
    refuses(capsys, file, field, f"'data/{ring[0]}' is a loop of symbolic links")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_is_judged_by_the_name_written_not_its_target(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """passwd.csv → a file without an extension (as /etc/passwd, or a content-addressed store's
    blob) is read as the CSV its name says, and refused for what it holds, shortened."""
    (tmp_path / "data").mkdir()
    (tmp_path / "store").write_text("root:x:0:0\n" + "daemon:" + "x" * 5000 + ":1:1\n")
    (tmp_path / "data" / "passwd.csv").symlink_to(tmp_path / "store")
    file = _naming(tmp_path, "data_file_missing", "no_such_file.npz", "passwd.csv")
    refuses(capsys, file, "data.file", "store line 2: expected numbers separated by commas, found 'daemon:xxx", " … ")
    assert len(capsys.readouterr().err) < 1000


def test_an_npz_of_100000_arrays_without_targets_is_named_in_one_short_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The list of what it holds was a 1.9 MB line."""
    (tmp_path / "data").mkdir()
    with zipfile.ZipFile(tmp_path / "data" / "many.npz", "w") as z:
        z.writestr("inputs.npy", _npy((1, 2), "<f8", np.zeros(2).tobytes()))
        member = _npy((0,), "<f8")
        for i in range(100_000):
            z.writestr(f"a{i}.npy", member)
    file = _naming(tmp_path, "data_file_missing", "no_such_file.npz", "many.npz")
    status, out, err = run_main(["check", str(file)], capsys)
    assert_refused(status, out, err, file, Case(file.stem, "data.file", ("has no array named 'targets'",
                                                                         "it holds: inputs, a0, a1", "a99999)")))
    assert len(err) < 1000


ONE_UNIT = ONE_OUTPUT.replace("inputs = 2", "inputs = {inputs}").replace('"d.npz"', '"{file}"')


def network(inputs: int, hidden: str, sample: str, expect: str = "") -> str:
    """ONE_OUTPUT with `inputs`, the `hidden` layers' tables before its one output unit, and
    one inline sample, `sample` its inputs, then `expect`."""
    return (ONE_OUTPUT.replace("inputs = 2\n", f"inputs = {inputs}\n{hidden}", 1)
            .replace('file = "d.npz"\n', f"inputs = [[{sample}]]\ntargets = [[0.5]]\n{expect}"))


def test_an_npz_header_declaring_800_gb_over_1_kb_is_refused_before_numpy_allocates(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Its width is network.inputs and its samples within the limit: numpy's out-of-memory error was the end."""
    with zipfile.ZipFile(tmp_path / "d.npz", "w") as z:
        z.writestr("inputs.npy", _npy((1_000_000, 100_000), "<f8", bytes(1000)))
        z.writestr("targets.npy", _npy((1_000_000,), "<f8", bytes(1000)))
    file = tmp_path / "s.toml"
    file.write_text(ONE_UNIT.format(inputs=100_000, file="d.npz"))
    refuses_quickly(capsys, file, "data.file", "d.npz: `inputs` (1000000×100000 of <f8, 800,000,000,000 bytes), "
                    "more than the limit of 1,000,000,000 (raise it with --max-data-bytes)")
    refuses_quickly(capsys, file, "data.file", "holds only 1,000 bytes: the file is cut short or its header is wrong",
                    args=("--max-data-bytes", str(10**12)))


def test_a_compressed_npz_is_limited_by_the_bytes_it_decompresses_to(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """16 MB of zeros compress to some 16 KB: the limit holds the 16 MB, refused before they
    are decompressed (at full scale 2 GB from 1.9 MB reached 1.94 GB before it was refused)."""
    with zipfile.ZipFile(tmp_path / "d.npz", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("inputs.npy", _npy((20_000, 100), "<f8", bytes(16_000_000)))
        z.writestr("targets.npy", _npy((20_000,), "<f8", bytes(160_000)))
    assert (tmp_path / "d.npz").stat().st_size < 100_000
    file = tmp_path / "s.toml"
    file.write_text(ONE_UNIT.format(inputs=100, file="d.npz"))
    refuses_quickly(capsys, file, "data.file", "`inputs` (20000×100 of <f8, 16,000,000 bytes), more than the limit "
                    "of 1,000,000", args=("--max-data-bytes", "1000000"), bytes_=4_000_000)
    status, out, err = run_main(["train", "-n", "1", str(file)], capsys)
    assert (status, err) == (0, "")


def test_100000_one_unit_layers_are_refused_by_the_depth_limit(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """200,000 parameters, inside every other limit: every command hung building 100,000 layers."""
    file = tmp_path / "deep.toml"
    layer = '[[network.layers]]\nunits = 1\nactivation = "identity"\ninit = "zeros"\n'
    file.write_text(network(1, layer * 99_999, "1.0"))
    start = time.perf_counter()  # (not traced: tracemalloc makes tomllib's parse of its 7 MB five times slower)
    refuses(capsys, file, "network.layers", "the network has 100,000 layers, more than the limit of 100 "
            "(raise it with --max-layers)")
    assert time.perf_counter() - start < 30


def test_a_deep_network_within_a_raised_limit_is_checked_in_seconds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """2,000 one-unit layers, the limit raised for them: each per-layer step is linear."""
    layer = '[[network.layers]]\nunits = 1\nactivation = "sigmoid"\nweights = [[0.5]]\nbias = 0.1\n'
    file = tmp_path / "deep.toml"
    file.write_text(network(1, layer * 1_999, "1.0", '[[expect]]\nname = "a2000"\nvalue = 0.5\ntolerance = 1.0\n'))
    start = time.perf_counter()
    status, out, err = run_main(["check", "--max-layers", "2000", str(file)], capsys)
    assert (status, err) == (0, "") and "1 figure confirmed" in out
    assert time.perf_counter() - start < 30


#: a 3000-3000-1 network, 9 M parameters, checked at iteration 100,000
P = 3000 * 3000 + 3000 + 1 * 3000 + 1  # W1, b1, W2, b2
WIDE = network(3000, '[[network.layers]]\nunits = 3000\nactivation = "sigmoid"\ninit = "zeros"\n',
               ", ".join(["0.1"] * 3000), '[[expect]]\nname = "a2"\niteration = 100000\nvalue = 0.5\n')


@pytest.mark.parametrize("command, field, estimate", [
    (["check"], "expect[0].iteration", f"{P:,} parameters × 100,000 iterations (the iterations up to the last "
                                       f"[[expect]]) = {P * 100_000:,}"),
    (["gradcheck"], "", f"× {2 * P + 1:,} iterations (an iteration per parameter nudged each way)"),
    (["train", "-n", "2000"], "", f"× 2,000 iterations (--iterations) = {P * 2000:,}"),
    (["export", "--iterations", "1200"], "", "× 1,200 iterations (the iterations written out)"),
])
def test_work_of_hours_is_refused_up_front_with_its_estimate(
        command: list[str], field: str, estimate: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 3000-3000-1 network (9 M parameters) checked at iteration 100,000 ran for hours."""
    file = tmp_path / "wide.toml"
    file.write_text(WIDE)
    start = time.perf_counter()
    status, out, err = run_main([*command, str(file)], capsys)
    assert_refused(status, out, err, file, Case(file.stem, field, (
        estimate, "more than the limit of 10,000,000,000 (raise it with --max-work)")))
    assert time.perf_counter() - start < 10


def test_the_debugger_opening_at_a_far_iteration_is_refused_too(tmp_path: Path, app_started: list[object],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "wide.toml"
    file.write_text(WIDE)
    assert_refused(*run_main([str(file), "--iteration", "2000"], capsys), file, Case(file.stem, "", (
        f"the debugger would compute {P:,} parameters × 2,000 iterations (--iteration)", "--max-work")))
    assert app_started == []


def test_a_10_gib_csv_data_file_is_refused_before_it_is_read(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").mkdir()
    with (tmp_path / "data" / "huge.csv").open("wb") as f:
        f.truncate(10 * 2**30)  # sparse
    file = _naming(tmp_path, "data_file_missing", "no_such_file.npz", "huge.csv")
    refuses_quickly(capsys, file, "data.file", "huge.csv has 10,737,418,240 bytes, more than the limit of "
                    "1,000,000,000 (raise it with --max-data-bytes)")


def test_compare_refuses_a_trace_whose_last_iteration_is_hours_away(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "wide.toml"
    file.write_text(WIDE)
    _savez(tmp_path / "t.npz", **{"z1@1": np.zeros((1, 3000)), "z1@100000": np.zeros((1, 3000))})
    start = time.perf_counter()
    status, out, err = run_main(["compare", str(file), str(tmp_path / "t.npz")], capsys)
    assert_refused(status, out, err, tmp_path / "t.npz", Case("t", "z1@100000", (
        f"compare would compute {P:,} parameters × 100,000 iterations (up to the trace's last)", "--max-work")))
    assert time.perf_counter() - start < 10
