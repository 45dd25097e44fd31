"""The headless commands: output shapes and exit codes (0 ok, 1 a check failed, 2 bad input)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import types

import pytest

from stepnet import cli
from stepnet.bundled import names
from stepnet.cli import main
from stepnet.engine.graph import Graph
from stepnet.scenario import load

SHIPPED = names()


def test_trace_json_has_every_step_and_the_final_parameters(scenarios, capsys):
    assert main(["trace", str(scenarios / "mazur.toml"), "--iterations", "2", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    steps = out["steps"]
    assert out["title"] == "A Step by Step Backpropagation Example"
    assert [s["index"] for s in steps] == list(range(1, len(steps) + 1))
    assert {s["iteration"] for s in steps} == {1, 2} and len(steps) % 2 == 0
    assert set(steps[0]) == {"index", "iteration", "phase", "layer", "output", "formula", "value"}
    loss = next(s for s in steps if s["output"] == "loss")
    assert loss["layer"] is None and loss["value"] == pytest.approx(0.298371109, abs=1e-9)
    delta2 = next(s for s in steps if s["output"] == "delta2")
    assert delta2["value"][0][0] == pytest.approx(0.138498562, abs=1e-9) and delta2["phase"] == "backward"
    assert set(out["final"]) == {"W1", "b1", "W2", "b2"}
    w1 = [s for s in steps if s["output"] == "W1"][-1]["value"]
    assert out["final"]["W1"] == w1  # final = after the last iteration's update


@pytest.mark.parametrize("name", SHIPPED)
def test_trace_and_gradcheck_work_on_every_shipped_scenario(scenarios, name, capsys):
    assert main(["trace", str(scenarios / f"{name}.toml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    graph = isinstance(load(scenarios / f"{name}.toml").model, Graph)
    backward = " += grad_" if graph else "delta1 = "  # a contribution of a graph, a network's δ
    assert any(backward in line for line in lines) and any(line.strip().startswith("→") for line in lines)
    assert main(["gradcheck", str(scenarios / f"{name}.toml")]) == 0
    assert " within relative error" in capsys.readouterr().out


def test_check_passes_on_mazur_and_fails_on_a_wrong_figure(scenarios, tmp_path, capsys):
    assert main(["check", str(scenarios / "mazur.toml")]) == 0
    assert "9 of 9 figures confirmed" in capsys.readouterr().out
    wrong = (scenarios / "mazur.toml").read_text().replace("value = 0.298371109", "value = 0.2983")
    path = tmp_path / "wrong.toml"
    path.write_text(wrong)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "✗ loss (E_total) @ iteration 1" in out and "8 of 9 figures confirmed, 1 contradicted" in out


def test_gradcheck_fails_above_the_tolerance(scenarios, capsys):
    assert main(["gradcheck", str(scenarios / "article.toml"), "--tolerance", "1e-30", "--eps", "1e-2"]) == 1
    assert "✗" in capsys.readouterr().out


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('title = "x"\n[network]\ninputs = 0\n')
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(path) in err and "network.inputs" in err


def test_no_argument_without_a_terminal_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "trace" in capsys.readouterr().out


def test_no_argument_opens_the_picker_of_examples(monkeypatch, app_started):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main([]) == 0 and [app.scenario for app in app_started] == [None]


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_import_neither_numpy_nor_the_engine_nor_textual(argv):
    code = ("import sys\nfrom stepnet.cli import main\n"
            f"status = main({argv!r})\n"
            "print(status, sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'textual', 'rich', 'orjson')"
            " or m.startswith(('stepnet.engine', 'stepnet.scenario', 'stepnet.tui'))))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert r.stdout.splitlines()[-1] == "0 []" and not r.stderr


def test_a_command_line_is_read_without_shutil_and_help_has_the_terminals_width(monkeypatch, capsys):
    """argparse left to find the width imports shutil (and bz2, lzma) for every parser."""
    code = ("import sys\nfrom stepnet.cli import _parser\n"
            "_parser('train').parse_args(['train', 'mazur', '-n', '3'])\nprint('shutil' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert r.stdout.split() == ["False"]
    for columns in (60, 100):
        monkeypatch.setenv("COLUMNS", str(columns))
        assert main(["train", "--help"]) == 0
        widths = [len(line) for line in capsys.readouterr().out.splitlines()]
        assert max(widths) <= columns - 2 and max(widths) > columns - 20  # wrapped at the width, not before
    # a process whose sys.__stdout__ is no file (some embedding tools): 80 columns, as shutil would say
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr("sys.__stdout__", types.SimpleNamespace(write=lambda text: len(text)))
    assert main(["train", "--help"]) == 0
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 78


def _walk(parser: argparse.ArgumentParser, name: str):
    """(where, action) for every argument of `parser` and of its commands' parsers."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                yield from _walk(sub, f"{name} {command}")
            yield from ((f"{name} {c.dest}", c) for c in action._choices_actions)
        else:
            yield name, action


@pytest.mark.parametrize("command", [None, *cli.COMMANDS])
def test_every_argument_has_a_description(command):
    parser = cli._debugger_parser() if command is None else cli._parser(command)
    arguments = list(_walk(parser, "stepnet"))
    if command is not None:  # the command's own arguments were added to it
        assert sum(where == f"stepnet {command}" for where, _ in arguments) >= 1 + (command != "examples")
    for where, action in arguments:
        assert action.help and action.help != argparse.SUPPRESS, (where, action.option_strings or action.dest)


@pytest.mark.parametrize("argv", [["chek", "x"], ["chek"], ["trian", "mazur", "-n", "3"]])
def test_a_misspelt_command_is_named_with_a_suggestion(argv, capsys):
    assert main(argv) == 2
    right = {"chek": "check", "trian": "train"}[argv[0]]
    assert capsys.readouterr() == ("", f"stepnet: unknown command {argv[0]!r} — did you mean {right!r}?\n")


ONE_FIGURE = """\
title = "One weight, no bias"
[network]
inputs = 1
[[network.layers]]
units = 1
activation = "identity"
weights = [[2.0]]
bias = false
[loss]
kind = "half_sse"
[optimizer]
kind = "sgd"
learning_rate = 0.1
[data]
inputs = [[3.0]]
targets = [[1.0]]
[[expect]]
name = "z1"
iteration = 1
value = {z}
"""


@pytest.mark.parametrize("z, status, summary", [
    (6.0, 0, "1 figure confirmed"),  # z1 = 2 × 3
    (7.0, 1, "0 of 1 figure confirmed, 1 contradicted"),
])
def test_check_summary_of_one_figure_is_singular(tmp_path, capsys, z, status, summary):
    path = tmp_path / "one.toml"
    path.write_text(ONE_FIGURE.format(z=z))
    assert main(["check", str(path)]) == status
    assert capsys.readouterr().out.splitlines()[-1] == summary
    assert main(["gradcheck", str(path)]) == 0  # W1 is the only parameter
    assert capsys.readouterr().out.splitlines()[-1].startswith("1 parameter within relative error")


def test_python_dash_m_runs_the_cli(scenarios):
    r = subprocess.run([sys.executable, "-m", "stepnet", "check", str(scenarios / "mazur.toml")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "9 of 9" in r.stdout and not r.stderr


def test_output_survives_a_terminal_that_cannot_show_unicode(scenarios):
    r = subprocess.run([sys.executable, "-m", "stepnet", "check", str(scenarios / "mazur.toml")],
                       capture_output=True, timeout=60, env={"PYTHONIOENCODING": "ascii", "PATH": ""})
    assert r.returncode == 0 and b"\\u2713 a1" in r.stdout and b"Traceback" not in r.stderr


@pytest.mark.parametrize("argv, message", [
    (["trace", "{mazur}", "--digits", "-2"], "argument --digits: expected a whole number from 1 to 17, got -2"),
    (["trace", "{mazur}", "-n", "0"], "argument --iterations/-n: expected a whole number from 1 to 100,000, got 0"),
    (["gradcheck", "{mazur}", "--eps", "0"], "argument --eps: expected a finite number above 0, got 0"),
    (["gradcheck", "{mazur}", "--iteration", "-5"], "argument --iteration: expected a whole number"),
    (["gradcheck", "{mazur}", "--tolerance", "nan"], "argument --tolerance: expected a finite number above 0"),
    (["check", "{mazur}", "--max-samples", "x"], "argument --max-samples: expected a whole number, got 'x'"),
])
def test_bad_options_are_one_line_and_exit_2(scenarios, capsys, argv, message):
    argv = [a.format(mazur=scenarios / "mazur.toml") for a in argv]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("stepnet: ") and message in err


def test_ctrl_c_ends_with_one_line_and_status_130(scenarios, capsys, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("stepnet.engine.training.train", interrupted)
    assert main(["train", str(scenarios / "mazur.toml")]) == 130
    assert capsys.readouterr().err == "stepnet: interrupted\n"


@pytest.mark.parametrize("argv", [["examples"], ["trace", "mazur"], ["trace", "mazur", "--format", "json"]])
def test_a_reader_that_stops_early_ends_the_output_quietly(argv, capsys, monkeypatch):
    read, write = os.pipe()
    os.close(read)  # `stepnet … | head -1` after head has exited
    with capsys.disabled(), open(write, "w", buffering=1) as closed:  # line-buffered: each line is written
        monkeypatch.setattr(sys, "stdout", closed)
        assert main(argv) == 0
        monkeypatch.undo()
    assert capsys.readouterr().err == ""


def test_every_command_warns_about_the_first_non_finite_value(tmp_path, scenarios, capsys):
    diverging = tmp_path / "diverging.toml"
    diverging.write_text((scenarios / "relu_sigmoid.toml").read_text().replace("learning_rate = 0.1", "learning_rate = 1e200"))
    for command in (["trace", "-n", "3"], ["train", "-n", "3"], ["export", "-n", "3"], ["gradcheck", "--iteration", "3"]):
        main([command[0], str(diverging), *command[1:]])
        out, err = capsys.readouterr()
        assert "warning: " in err and "non-finite" in err, command
        if command[0] == "export":  # the worked example marks the op where it happened
            assert "> **Warning:** z2 became non-finite" in out


def test_the_debugger_dying_of_an_error_exits_non_zero(scenarios, monkeypatch):
    class Crashing:
        def __init__(self, scenario, theme=None, **options):
            self.return_code = None

        def run(self):
            self.return_code = 1  # what Textual sets when the app ends on an unhandled error

    monkeypatch.setattr("stepnet.tui.app.StepnetApp", Crashing)
    assert main([str(scenarios / "mazur.toml")]) == 1


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("stepnet 0.")


NO_BIAS = """\
title = "2-3-3 without biases: 6 + 9 weights, nothing else"

[network]
inputs = 2

[[network.layers]]
units = 3
activation = "tanh"
weights = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
bias = false

[[network.layers]]
units = 3
activation = "softmax"
weights = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]
bias = false

[loss]
kind = "cross_entropy"

[optimizer]
learning_rate = 0.1

[data]
inputs = [[1.0, 2.0], [0.5, -1.0]]
targets = [2, 0]
batch_size = 2
"""


def test_a_network_without_biases_counts_only_its_weights(tmp_path, capsys):
    path = tmp_path / "nobias.toml"
    path.write_text(NO_BIAS)
    assert main(["check", "--max-parameters", "15", str(path)]) == 0  # 6 + 9 weights, no bias
    capsys.readouterr()
    assert main(["check", "--max-parameters", "14", str(path)]) == 2
    assert "the network has 15 parameters, more than the limit of 14" in capsys.readouterr().err


def test_inline_targets_may_be_class_labels_as_in_data_files(tmp_path):
    from stepnet import scenario

    path = tmp_path / "labels.toml"
    path.write_text(NO_BIAS)
    assert scenario.load(path).data.targets.tolist() == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    path.write_text(NO_BIAS.replace("targets = [2, 0]", "targets = [3, 0]"))
    with pytest.raises(Exception, match=r"class labels must be in 0…2"):
        scenario.load(path)
