"""`stepnet export --format notebook`: the code cells, run in order by a plain Python process
(no Jupyter, no stepnet), recompute every step; each step's result is checked against
stepnet's at that operation. An exercise stops at its first blank, and with the answer key's
code in its blanks it runs to the end, again matching stepnet."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import SCENARIOS

from stepnet import cli, scenario
from stepnet.engine.names import Name

#: (file name, the export's arguments): networks and graphs, every scope
NOTEBOOKS = {
    "mazur": ["mazur"],
    "article-2": ["article", "-n", "2"],
    "micrograd": ["micrograd"],
    "adam-2": ["adam_by_hand", "-n", "2"],
    "dropout-2": ["dropout", "-n", "2"],
    "momentum-iteration-3": ["momentum", "--iteration", "3"],
    "xor-iteration-2": ["xor", "--iteration", "2"],
    "mazur-op-delta2": ["mazur", "--op", "delta2"],
    "article-op-batch": ["article", "--op", "1", "--iteration", "2"],
    "micrograd-op-contribution": ["micrograd", "--op", "63"],
    "mazur-neuron-1-1": ["mazur", "--neuron", "1:1"],
    "article-neuron-3-0": ["article", "--neuron", "3:0", "--iteration", "2"],
    "dropout-neuron-2-3": ["dropout", "--neuron", "2:3"],
    "mazur-exercise": ["mazur", "--exercise"],
    "mazur-key": ["mazur", "--answers"],
    "article-neuron-exercise": ["article", "--neuron", "2:1", "--exercise", "--blank", "delta,grad_W"],
    "article-neuron-key": ["article", "--neuron", "2:1", "--answers", "--blank", "delta,grad_W"],
}

#: runs the code cells of each notebook in order, in a namespace of its own, and keeps each
#: step's result by its cell's number; an exercise's blank stops its notebook
RUNNER = textwrap.dedent("""
    import json, sys
    import numpy as np

    results = {}
    for path in sys.argv[2:]:
        cells = [c for c in json.load(open(path))["cells"] if c["cell_type"] == "code"]
        namespace, kept = {}, {}
        for k, cell in enumerate(cells):
            try:
                exec("".join(cell["source"]), namespace)
            except NotImplementedError as blank:
                kept["stopped"] = [k, str(blank)]
                break
            step = cell["metadata"].get("stepnet")
            if step:
                kept[str(k)] = np.asarray(namespace[step["output"]]).tolist()
        results[path] = kept
    json.dump(results, open(sys.argv[1], "w"))
""")


def run_notebooks(paths: list[Path], out: Path) -> dict[str, dict]:
    """The notebooks' code run by a fresh `python -I` (no site-packages but NumPy's, no stepnet)."""
    numpy_path = str(Path(np.__file__).parents[1])
    env = {"PATH": "/usr/bin:/bin"}
    program = f"import sys; sys.path.insert(0, {numpy_path!r}); exec({RUNNER!r})"
    subprocess.run([sys.executable, "-I", "-S", "-c", program, str(out), *map(str, paths)], check=True, env=env,
                   cwd=out.parent, timeout=120)
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], dict[str, Path]]:
    folder = tmp_path_factory.mktemp("notebooks")
    paths = {}
    for name, arguments in NOTEBOOKS.items():
        paths[name] = folder / f"{name}.ipynb"
        assert cli.main(["export", *arguments, "-o", str(paths[name])]) == 0
    # the exercise with the key's code in its blanks
    exercise, key = (json.loads(paths[n].read_text()) for n in ("mazur-exercise", "mazur-key"))
    answers = {c["metadata"]["stepnet"]["position"]: "".join(c["source"]) for c in key["cells"]
               if "answer" in c["metadata"].get("tags", [])}
    steps = {c["metadata"]["stepnet"]["position"]: c for c in exercise["cells"] if "stepnet" in c["metadata"]}
    for position, cell in steps.items():
        if "exercise" in cell["metadata"]["tags"]:
            cell["source"] = answers.pop(position) + f"\n{cell['metadata']['stepnet']['output']}"
    # what is left of the key, the exercise has already: the code of what is computed from its blanks
    assert answers and all("".join(steps[p]["source"]).startswith(code) for p, code in answers.items())
    paths["mazur-exercise-answered"] = folder / "mazur-exercise-answered.ipynb"
    paths["mazur-exercise-answered"].write_text(json.dumps(exercise))
    runnable = {n: p for n, p in paths.items() if not n.endswith("-key")}
    results = run_notebooks(list(runnable.values()), folder / "results.json")
    return {n: results[str(p)] for n, p in runnable.items()}, paths


def cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("name", [n for n in NOTEBOOKS if not n.endswith(("-key", "-exercise"))]
                         + ["mazur-exercise-answered"])
def test_every_step_recomputed_in_numpy_is_stepnet_s(name, notebooks):
    results, paths = notebooks
    kept = results[name]
    assert "stopped" not in kept
    steps = [(k, c["metadata"]["stepnet"]) for k, c in enumerate(cells(paths[name])) if "stepnet" in c["metadata"]]
    assert steps and len(kept) == len(steps)
    file = NOTEBOOKS.get(name, ["mazur"])[0]
    d = scenario.load(SCENARIOS / f"{file}.toml").debugger()
    for k, step in steps:
        d.goto(step["position"])
        expected = d.values[Name.parse(step["output"])]
        np.testing.assert_allclose(np.asarray(kept[str(k)]), expected, rtol=1e-10, atol=1e-14,
                                   err_msg=f"{name}: cell {k}, {step}")


def test_the_notebooks_need_neither_jupyter_nor_stepnet(notebooks):
    _, paths = notebooks
    for path in paths.values():
        source = "\n".join("".join(c["source"]) for c in cells(path))
        assert "stepnet" not in source and "import numpy as np" in source or path.name.endswith("-key.ipynb")
        notebook = json.loads(path.read_text())
        assert notebook["nbformat"] == 4 and [c["id"] for c in notebook["cells"]] == \
            [f"cell-{k}" for k in range(1, len(notebook["cells"]) + 1)]  # the same export, the same file


def test_an_exercise_stops_at_its_first_blank_having_matched_everything_before(notebooks):
    results, paths = notebooks
    kept = results["mazur-exercise"]
    code = cells(paths["mazur-exercise"])
    first_blank = next(k for k, c in enumerate(code) if "exercise" in c["metadata"]["tags"])
    assert kept["stopped"] == [first_blank, "dact2"]
    assert "raise NotImplementedError('dact2')" in "".join(code[first_blank]["source"])
    assert "dact2 = σ′(z2) = a2·(1 − a2)" in "".join(code[first_blank]["source"])  # what to compute
    d = scenario.load(SCENARIOS / "mazur.toml").debugger()
    for k in range(first_blank):
        if step := code[k]["metadata"].get("stepnet"):
            d.goto(step["position"])
            np.testing.assert_allclose(kept[str(k)], d.values[Name.parse(step["output"])], rtol=1e-12)


def test_an_exercise_shows_the_code_of_what_is_computed_from_its_blanks_but_not_theirs(notebooks):
    _, paths = notebooks
    code = {c["metadata"]["stepnet"]["output"]: (c["metadata"]["tags"], "".join(c["source"]))
            for c in cells(paths["mazur-exercise"]) if "stepnet" in c["metadata"]}
    assert code["delta2"][0] == ["exercise"] and "grad_a2 * dact2" not in code["delta2"][1]
    assert code["W1"] == (["step"], "W1 = W1 - 0.5 * grad_W1\nW1")  # computed from a blank: its code runs once filled
    key = {c["metadata"]["stepnet"]["output"] for c in cells(paths["mazur-key"])}
    assert key == {"dact2", "delta2", "grad_W2", "grad_b2", "grad_a1", "dact1", "delta1", "grad_W1", "grad_b1",
                   "W1", "W2"}


def test_a_neuron_s_cells_show_its_part_of_each_step(notebooks):
    _, paths = notebooks
    code = ["".join(c["source"]) for c in cells(paths["mazur-neuron-1-1"])]
    assert code[0].startswith("import numpy as np\n") and "grad_a1 = np.array([[0.0363503" in code[0]
    assert "a0 * W1[1]" in code[1]  # the products
    assert "z1 = a0 @ W1.T + b1\nz1[:, 1]" in code and "W1 = W1 - 0.5 * grad_W1\nW1[1]" in code


def test_without_nbformat_the_command_says_how_to_get_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "nbformat", None)  # import nbformat raises ImportError
    assert cli.main(["export", "mazur", "-o", str(tmp_path / "m.ipynb")]) == 2
    assert capsys.readouterr().err == ("stepnet: --format notebook needs nbformat: "
                                       "pip install 'stepnet[notebook]'\n")
    assert list(tmp_path.iterdir()) == []
