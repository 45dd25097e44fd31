"""`stepnet train` and the engine pieces under it: the chunked run and the evaluation."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from conftest import SCENARIOS, make_debugger, make_model
from stepnet import cli, scenario
from stepnet.engine.metrics import accuracy, evaluate, is_classification
from stepnet.engine.model import Dataset
from stepnet.engine.program import Program, build_program
from stepnet.engine.training import EVALUATION_SHARE, evaluation_cost, report_spacing, train
from stepnet.engine.names import LOSS, Name

MAZUR = str(SCENARIOS / "mazur.toml")
DIGITS = str(SCENARIOS / "digits.toml")


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def report_rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines() if re.match(r"\s+\d+\s", line)]


def test_mazur_reports_the_articles_error_after_the_first_round(capsys):
    status, out, err = run(["train", MAZUR, "-n", "2", "--report-every", "1"], capsys)
    assert status == 0 and err == ""  # stderr is no terminal here: no progress bar
    rows = report_rows(out)
    assert [r[0] for r in rows] == ["1", "2"]
    batch_loss, loss, acc = float(rows[0][1]), float(rows[0][2]), rows[0][3]
    assert batch_loss == pytest.approx(0.298371109, abs=1e-6)  # E_total before the update
    assert loss == pytest.approx(0.29102777369, abs=1e-6)  # … and after it (see the erratum)
    assert acc == "—"  # two sigmoid outputs with targets 0.01/0.99: not a classification
    assert out.splitlines()[-1] == f"final after 2 iterations: loss {rows[1][2]}"


def plain_training(s, iterations: int) -> tuple[list[float], np.ndarray]:
    """A 2-layer ReLU/softmax network with cross-entropy, SGD on batches in file order,
    written out in NumPy: the last iteration's gradient norms (W1, b1, W2, b2: its batch's,
    at the parameters before its update) and the predictions over all samples after it."""
    params = [s.model.initial[Name.parse(k)] for k in ("W1", "b1", "W2", "b2")]
    x_all, y_all, lr, batch = s.data.inputs, s.data.targets, s.model.optimizer.learning_rate, s.data.batch_size

    def forward(x, W1, b1, W2, b2):
        z1 = x @ W1.T + b1
        a1 = np.maximum(z1, 0)
        e = np.exp((z := a1 @ W2.T + b2) - z.max(axis=1, keepdims=True))
        return z1, a1, e / e.sum(axis=1, keepdims=True)

    for k in range(iterations):
        start = k % -(-len(x_all) // batch) * batch
        x, y = x_all[start:start + batch], y_all[start:start + batch]
        z1, a1, p = forward(x, *params)
        d2 = (p - y) / len(x)
        d1 = (d2 @ params[2]) * (z1 > 0)
        grads = [d1.T @ x, d1.sum(0), d2.T @ a1, d2.sum(0)]
        params = [w - lr * g for w, g in zip(params, grads)]
    return [float(np.sqrt(np.sum(g * g))) for g in grads], forward(x_all, *params)[2]


def test_digits_accuracy_and_gradient_norm_match_plain_numpy(capsys):
    status, out, _ = run(["train", DIGITS, "-n", "20", "--report-every", "10"], capsys)
    assert status == 0
    norms, p = plain_training(scenario.load(DIGITS), 20)
    labels = scenario.load(DIGITS).data.targets.argmax(axis=1)
    correct = int((p.argmax(axis=1) == labels).sum())
    final = out.splitlines()[-1]
    assert f"({correct:,} of 1,797 samples)" in final
    rows = report_rows(out)
    assert [r[0] for r in rows] == ["10", "20"]
    assert rows[-1][3] == f"{100 * correct / 1797:.2f}"
    assert float(rows[-1][5]) == pytest.approx(norms[0], rel=1e-3)  # printed to 4 digits
    assert float(rows[-1][6]) == pytest.approx(norms[2], rel=1e-3)


def test_mini_batch_reports_match_plain_numpy():
    """Loss and accuracy over every sample after the iteration; each parameter's gradient
    norm of the iteration's own batch."""
    s = scenario.load(SCENARIOS / "mnist_shape.toml")
    reports = list(train(s.debugger(), 30, 15))
    assert [r.iteration for r in reports] == [15, 30]
    y = s.data.targets
    for report in reports:
        norms, p = plain_training(s, report.iteration)
        e = report.evaluation
        assert e.loss == pytest.approx(np.mean(-np.sum(y * np.log(np.clip(p, 1e-12, 1)), axis=1)), rel=1e-12)
        assert e.accuracy == np.mean(p.argmax(axis=1) == y.argmax(axis=1))
        assert [e.gradient_norms[Name.parse(k)] for k in ("W1", "b1", "W2", "b2")] == pytest.approx(norms, rel=1e-12)


def program_of(samples: int, batch: int) -> Program:
    model = make_model([2, 3], ["softmax"], loss="cross_entropy")
    return build_program(model, Dataset(np.zeros((samples, 2)), np.eye(3)[np.zeros(samples, int)], batch))


@pytest.mark.parametrize("samples, batch, iterations, spacing", [
    # mnist_shape: an evaluation costs 1797/(3·32) ≈ 18.7 iterations
    (1797, 32, 1000, 200),  # 100 would evaluate 10 times, 187 of 100; 200 five times, 93.6
    (1797, 32, 300, 300),  # 200 would evaluate at 200 and 300, 37.4 of 30: one line, after the last
    (1797, 32, 1010, 500),  # 200 would evaluate 6 times, 112 of 101; 500 three times, 56
    (1797, 32, 5000, 500),  # N/10 is further apart
    (1797, 32, 100, 100),  # one line, after the last
    (1797, 1797, 300, 30),  # digits: a third of an iteration, 10 of them 3.3 of 300
    (1797, 1797, 20, 5),  # 2 apart: 10 evaluations, 3.3 of 2; 5 apart: 4, 1.3
    (1, 1, 100, 10),  # mazur
    (1, 1, 3, 3),  # 1 and 2 apart are over a tenth of 3 iterations, 5 is past the end: one line
    (60000, 1, 10, 10),  # 20,000 iterations' work: one line
    (30, 10, 10, 10),  # 30/(3·10) = 1 iteration's work in a run of 10: one line
    (20, 1, 1000, 100),  # 20/3 ≈ 6.7: 10 evaluations, 67 of 1000
    (3, 10, 1005, 100),  # 3/(3·3) = 1/3: 11 evaluations, 3.7 of 1005
    (30, 10, 100, 10),  # 10 evaluations of 1 iteration's work: exactly a tenth of 100, allowed
    (30, 10, 90, 10),  # 9 would evaluate 10 times, 10 of 9; 10 (1 × 10¹ itself) 9 times, 9 of 9
    (27, 20, 40, 5),  # 27/(3·20) = 0.45: 4 apart evaluates 10 times, 4.5 of 4; 5 apart 8 times, 3.6
])
def test_reports_are_spaced_so_evaluations_take_at_most_a_tenth(samples, batch, iterations, spacing):
    program = program_of(samples, batch)
    assert report_spacing(program, iterations) == spacing
    evaluations = -(-iterations // spacing)  # one a report, the last iteration's included
    assert evaluations * evaluation_cost(program) <= EVALUATION_SHARE * iterations or spacing == iterations
    assert report_spacing(program, iterations, reports=40) <= spacing


def test_the_default_spacing_is_said_when_it_is_not_n_over_10(capsys):
    status, out, _ = run(["train", str(SCENARIOS / "mnist_shape.toml"), "-n", "1010"], capsys)
    assert status == 0
    assert "a line every 500 iterations and after the last: each evaluates every sample (1,797), " \
           "the work of ~19 iterations" in out
    assert [r[0] for r in report_rows(out)] == ["500", "1000", "1010"]
    status, out, _ = run(["train", str(SCENARIOS / "mnist_shape.toml"), "-n", "300"], capsys)
    assert "one line, after the last iteration: it evaluates every sample (1,797), the work of ~19 " \
           "iterations" in out
    assert [r[0] for r in report_rows(out)] == ["300"]
    status, out, _ = run(["train", str(SCENARIOS / "mnist_shape.toml"), "-n", "20", "--report-every", "10"], capsys)
    assert [r[0] for r in report_rows(out)] == ["10", "20"] and "a line every" not in out


@pytest.mark.parametrize("args, message", [
    (["-n", "0"], "argument --iterations/-n: expected a whole number at least 1, got 0"),
    (["--report-every", "0"], "argument --report-every: expected a whole number at least 1, got 0"),
])
def test_bad_counts_exit_2_with_one_line(args, message, capsys):
    status, out, err = run(["train", MAZUR, *args], capsys)
    assert status == 2 and out == ""
    assert err.strip().startswith("stepnet: ") and message in err and err.count("\n") == 1


def test_a_missing_scenario_exits_2(tmp_path, capsys):
    status, _, err = run(["train", str(tmp_path / "nope.toml")], capsys)
    assert status == 2 and "no such file" in err


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    status, out, err = run(["train", MAZUR, "-n", "3"], capsys)
    assert status == 0 and "final after 3 iterations" in out
    assert "training" in err and "3/3" in err  # the bar, drawn on stderr


def test_a_run_is_of_one_iteration_or_more_and_its_first_chunk_is_one_iteration():
    d = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    for iterations, report_every in ((0, 1), (1, 0)):
        with pytest.raises(ValueError, match="^iterations and report_every must be at least 1$"):
            list(train(d, iterations, report_every))
    assert [r.iteration for r in train(d, 1, 1)] == [1]
    seen: list[int] = []
    assert [r.iteration for r in train(d, 8, 8, progress=seen.append)] == [9]
    assert seen[0] == 1  # with a progress bar, the chunks start at one iteration and grow


def test_reports_come_every_k_iterations_and_after_the_last():
    d = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    seen: list[int] = []
    reports = list(train(d, 25, 10, progress=seen.append))
    assert [r.iteration for r in reports] == [10, 20, 25]
    assert seen == sorted(seen) and seen[-1] == 25 and len(seen) >= 3
    losses = d.losses
    assert reports[1].batch_loss == pytest.approx(np.mean(losses[10:20]))
    assert reports[2].batch_loss == pytest.approx(np.mean(losses[20:25]))
    other = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    other.run_iterations(25)  # the run is the engine's fast path, nothing else
    for name, value in other.parameters().items():
        assert value.tobytes() == d.parameters()[name].tobytes()


def test_adaptive_reports_that_outweigh_the_iterations_come_further_apart(monkeypatch):
    """A report that takes far longer than the iterations between two (here: a sleep of 20 ms
    against a tiny network's tens of µs) doubles the spacing, again and again; otherwise
    the spacing asked for is kept whatever the cost."""
    from stepnet.engine import training

    slow = training._report

    def sleepy(*args, **kwargs):
        time.sleep(0.02)
        return slow(*args, **kwargs)

    monkeypatch.setattr(training, "_report", sleepy)
    adaptive = [r.iteration for r in train(make_debugger(make_model([2, 2, 2], ["sigmoid", "sigmoid"])), 200, 5,
                                        adaptive=True)]
    assert adaptive == [5, 10, 20, 40, 80, 160, 200]  # at the multiples of a spacing doubled each time
    steady = [r.iteration for r in train(make_debugger(make_model([2, 2, 2], ["sigmoid", "sigmoid"])), 40, 5)]
    assert steady == list(range(5, 45, 5))


def test_accuracy_is_argmax_against_argmax():
    p = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.4, 0.4, 0.2]])
    y = np.eye(3)[[1, 1, 2, 0]]
    assert accuracy(p, y) == 0.75  # ties go to the first class, as argmax does


def evaluation(model, x, y):
    return evaluate(build_program(model, Dataset(x, y, len(x))), model.initial_state(), {})


def test_accuracy_for_one_hot_targets_or_0_1_targets_of_one_unit():
    model = make_model([2, 3], ["softmax"], loss="cross_entropy")
    assert is_classification(model, np.eye(3)[[0, 2]])
    assert not is_classification(model, np.array([[0.2, 0.3, 0.5]]))
    single = make_model([2, 1], ["sigmoid"])
    assert is_classification(single, np.array([[1.0], [0.0]]))
    assert not is_classification(single, np.array([[0.9], [0.1]]))
    x, y = np.array([[4.0, 0.0], [-4.0, 0.0], [4.0, 0.0]]), np.array([[1.0], [0.0], [0.0]])
    W, b = single.initial[Name("W", 1)], single.initial[Name("b", 1)]
    p = 1 / (1 + np.exp(-(x @ W.T + b)))
    assert evaluation(single, x, y).accuracy == np.mean((p >= 0.5) == (y == 1))  # thresholded at 0.5
    assert evaluation(single, x, np.array([[0.9], [0.1], [0.3]])).accuracy is None
    assert not is_classification(make_model([2, 1], ["identity"]), y)  # a regression on 0 and 1


def test_accuracy_counts_the_largest_output_or_the_side_of_one_half_it_is_on():
    # one unit: 0.5 is on the 1 side; right, right, wrong (0.2 for 1), right (0.49 for 0): 3 of 4
    assert accuracy(np.array([[0.5], [0.7], [0.2], [0.49]]), np.array([[1.0], [1.0], [1.0], [0.0]])) == 0.75
    # several: the largest output's column against the one-hot target's: right, wrong
    assert accuracy(np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]), np.eye(3)[[1, 2]]) == 0.5


def test_evaluating_a_diverged_network_warns_nothing(recwarn):
    # W1 = 1e200 on an identity unit: z = 1e200, half-SSE ½z² overflows to inf, and the
    # gradient handed in (1e200 in each of 2 elements) has the norm √2·1e200 = inf too
    model = make_model([1, 1], ["identity"], loss="half_sse")
    program = build_program(model, Dataset(np.ones((1, 1)), np.zeros((1, 1)), 1))
    state = {**model.initial_state(), Name("W", 1): np.array([[1e200]]), Name("b", 1): np.zeros(1)}
    result = evaluate(program, state, {Name("grad_W", 1): np.full((1, 2), 1e200)})
    assert result.loss == np.inf and result.gradient_norms == {Name("grad_W", 1): np.inf}
    assert not recwarn.list


def test_evaluation_loss_is_the_mean_per_sample_whatever_the_reduction():
    x, y = np.array([[0.5, -1.0], [2.0, 0.3], [0.0, 1.0]]), np.array([[0.2], [0.9], [0.4]])
    for reduction in ("mean", "sum"):
        model = make_model([2, 1], ["sigmoid"], reduction=reduction)
        W, b = model.initial[Name.parse("W1")], model.initial[Name.parse("b1")]
        p = 1 / (1 + np.exp(-(x @ W.T + b)))
        assert evaluation(model, x, y).loss == pytest.approx(np.mean(0.5 * (p - y) ** 2))


def test_a_breakpoint_that_hits_ends_the_run_where_stepping_would_stop():
    from stepnet.engine.breakpoints import Condition

    s = scenario.load(MAZUR)
    stepped = s.debugger()
    hit = Condition.parse("|delta1| < 3e-4")
    assert stepped.continue_([hit], 10_000 * stepped.n_ops)  # the reference: step until it hits
    d = s.debugger()
    reports = list(train(d, 10_000, 100, breakpoints=[hit]))
    assert reports[-1].stopped and not any(r.stopped for r in reports[:-1])
    assert d.position == stepped.position and d.last_op.output == Name.parse("delta1")
    assert reports[-1].iteration == d.position // d.n_ops  # the iterations completed before it
    # without breakpoints the same run goes the whole way, and says nothing stopped it
    plain = list(train(s.debugger(), 300, 100))
    assert [r.iteration for r in plain] == [100, 200, 300] and not any(r.stopped for r in plain)


def test_the_columns_stay_aligned_whatever_the_figures_width(capsys):
    """Adam on θ² from θ = 1: J falls from 1 to 2.6e-05 and back up, %g's widest forms; each
    column of every line ends where its heading does."""
    assert cli.main(["train", "adam_by_hand", "-n", "14", "--report-every", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("iteration"))
    rows = lines[header + 1:header + 15]
    assert len(rows) == 14 and any("e-05" in row for row in rows)
    ends = [m.end() for m in re.finditer(r"\S+( \S+)*", lines[header])]  # a heading may have a space
    for row in rows:
        assert [m.end() for m in re.finditer(r"\S+", row)] == ends, row


def test_a_run_pauses_at_the_end_of_each_iteration_asked_for():
    """`ends`: the debugger stands at the end of iterations 3 and 7 when `at_end` is called,
    whatever the chunks and reports; the run is the same as without."""
    d = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    seen: list[int] = []
    reports = [r.iteration for r in train(d, 10, 4, progress=lambda done: None, ends={3, 7, 12},
                                          at_end=lambda: seen.append(d.position))]
    assert seen == [3 * d.n_ops, 7 * d.n_ops] and reports == [4, 8, 10]
    other = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    other.run_iterations(10)
    assert all(v.tobytes() == other.parameters()[k].tobytes() for k, v in d.parameters().items())


def test_a_stopped_run_reports_where_it_is_unless_it_just_reported():
    d = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    d.run_iterations(5)  # the run starts after iteration 5
    paused: list[int] = []
    # reports every 4, pauses at the ends of 7 and 11, stop asked before each chunk: chunks
    # of 2 (to 7), 2 (to 9: a report), 2 (to 11), then stopped with 11 − 9 = 2 unreported
    reports = list(train(d, 10, 4, stop=lambda: d.position // d.n_ops >= 11, ends={7, 11},
                         at_end=lambda: paused.append(d.position // d.n_ops)))
    assert paused == [7, 11]
    assert [(r.iteration, r.stopped) for r in reports] == [(9, False), (11, False)]
    losses = d.losses  # losses[k − 1] is iteration k's
    assert reports[0].batch_loss == pytest.approx(np.mean(losses[5:9]))
    assert reports[1].batch_loss == pytest.approx(np.mean(losses[9:11]))
    # stopped just after a report: nothing more to say
    other = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    assert [r.iteration for r in train(other, 8, 4, stop=lambda: other.position // other.n_ops >= 4)] == [4]


def test_with_breakpoints_a_run_from_inside_an_iteration_ends_at_an_iteration_s_end():
    from stepnet.engine.breakpoints import Condition, OpBreakpoint

    d = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    d.run_iterations(3)
    d.goto(3 * d.n_ops + 2)  # two ops into iteration 4: iterations 4 and 5 complete the run
    [report] = train(d, 2, 2, breakpoints=[Condition.parse("loss > 1e300")])
    assert d.position == 5 * d.n_ops and (report.iteration, report.stopped) == (5, False)
    # a breakpoint that hits at iteration 6's first update: the report averages the losses of
    # the iterations after the run's start (iteration 5's end), not all of them
    [stopped] = train(d, 2, 2, breakpoints=[OpBreakpoint(phase="update")])
    assert stopped.stopped and d.position // d.n_ops == 5 and len(d.losses) == 6
    assert stopped.batch_loss == d.losses[5]


def test_a_breakpoint_that_hits_after_a_report_averages_the_losses_since_that_report():
    """The run starts after iteration 3, reports after 5 and 7, and a breakpoint hits in
    iteration 9 just after its loss: the stopped report's batch loss is the mean of iterations
    8 and 9's, the losses since the last report."""
    d = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    d.run_iterations(3)

    class AfterTheLossOfIteration9:
        needs_value = False

        def matches(self, op: object, value: object = None) -> bool:
            return d.last_op.output == LOSS and d.position // d.n_ops == 8

    reports = list(train(d, 10, 2, breakpoints=[AfterTheLossOfIteration9()]))
    assert [(r.iteration, r.stopped) for r in reports] == [(5, False), (7, False), (8, True)]
    losses = d.losses  # losses[k − 1] is iteration k's
    assert len(losses) == 9
    assert reports[0].batch_loss == pytest.approx(np.mean(losses[3:5]))
    assert reports[-1].batch_loss == pytest.approx(np.mean(losses[7:9]))


@pytest.mark.parametrize(("start", "seconds", "seen"), [
    # a chunk under PROGRESS_INTERVAL / 2 = 0.05 s: the next is twice as long, 1, 2, 4, 8, then the 15 left
    (1000.0, 0.01, [1, 3, 7, 15, 30]),
    (0.0, 0.04, [1, 3, 7, 15, 30]),
    (0.0, 0.05, list(range(1, 31))),  # not under: one iteration at a time
    (0.0, 0.1, list(range(1, 31))),
])
def test_chunks_double_while_one_takes_under_half_the_progress_interval(monkeypatch, start, seconds, seen):
    from types import SimpleNamespace

    from stepnet.engine import training

    clock = iter([start, start + seconds] * 31)  # each chunk's start and end (and the report's)
    monkeypatch.setattr(training, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    d = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    heard: list[int] = []
    [report] = train(d, 30, 30, progress=heard.append)
    assert heard == seen and report.iteration == 30


@pytest.mark.parametrize(("iterations", "every", "seconds", "reports"), [
    # 1 s an iteration, 0.25 s a report: 0.25·k s of reports against 0.1 × the iterations' —
    # over at 1, 2, 4, 8 (1.0 > 0.8), not at 16 (1.25 < 1.6): from there every 16
    (50, 1, 0.25, [1, 2, 4, 8, 16, 32, 48, 50]),
    # 0.5 s a report: 0.5 against 0.1 × 5 at 5, 1.0 against 1.0 at 10: equal is not over
    (20, 5, 0.5, [5, 10, 15, 20]),
])
def test_adaptive_reports_come_twice_as_far_apart_while_they_take_over_a_tenth(monkeypatch, iterations, every,
                                                                            seconds, reports):
    from types import SimpleNamespace

    from stepnet.engine import training

    d = make_debugger(make_model([3, 4, 2], ["tanh", "sigmoid"]), samples=6, batch_size=2)
    spent = [0.0]  # the clock: 1 s for each iteration completed, `seconds` for each report
    evaluate = training.evaluate

    def timed(*args):
        spent[0] += seconds
        return evaluate(*args)

    monkeypatch.setattr(training, "evaluate", timed)
    monkeypatch.setattr(training, "time", SimpleNamespace(perf_counter=lambda: d.position // d.n_ops + spent[0]))
    assert [r.iteration for r in train(d, iterations, every, adaptive=True)] == reports
