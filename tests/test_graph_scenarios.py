"""[graph] scenarios: what the reader refuses (one message naming the node and the column),
how gradients accumulate, stepping back exactly, the fast path bit for bit, optimizers on
leaves, and the layout a view of the graph reads."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_graph
from stepnet.cli import main
from stepnet.engine.debugger import Debugger
from stepnet.engine.expect import check
from stepnet.engine.graph import NO_DATA
from stepnet.engine.model import Optimizer
from stepnet.engine.names import Name, grad
from stepnet.errors import ScenarioError
from stepnet.scenario import load

N = Name.parse


def write(tmp_path, nodes: list[str], inputs: str = "{ x = -2.0, y = 5.0, z = -4.0 }", extra: str = ""):
    path = tmp_path / "g.toml"
    path.write_text(f'title = "g"\n[graph]\ninputs = {inputs}\nnodes = {json.dumps(nodes)}\n{extra}')
    return path


# --- what the reader refuses --------------------------------------------------------------

REFUSED = [
    # (nodes, the node refused, fragments of the message)
    (["q = x.real"], 0, ["node 'q', column 5", "an attribute (x.y) is not allowed"]),
    (["q = max(x, y)"], 0, ["node 'q', column 5", "'max' is not a function stepnet knows"]),
    (["q = __import__('os')"], 0, ["node 'q', column 5", "'__import__' is not a function stepnet knows"]),
    (["q = x.__class__"], 0, ["column 5", "attribute"]),
    (["q = math.exp(x)"], 0, ["node 'q', column 5", "an attribute (x.y) is not allowed"]),
    (["q = 'x' * 2"], 0, ["node 'q', column 5", "a string ('x') is not allowed"]),
    (["q = x[0]"], 0, ["node 'q', column 5", "a subscript (x[i]) is not allowed"]),
    (["q = (lambda: x)()"], 0, ["node 'q', column 6", "only a function is called, by its name"]),
    (["q = lambda: x"], 0, ["node 'q', column 5", "a lambda is not allowed"]),
    (["q = x if y else z"], 0, ["node 'q', column 5", "a conditional"]),
    (["q = x < y"], 0, ["node 'q', column 5", "a comparison"]),
    (["q = x % y"], 0, ["node 'q', column 5", "% is not allowed"]),
    (["q = x // y"], 0, ["node 'q', column 5", "// is not allowed"]),
    (["q = +x"], 0, ["node 'q', column 5", "unary + is not allowed"]),
    (["q = x ** y"], 0, ["node 'q', column 10", "the exponent of ** is a number"]),
    (["q = exp(x, y)"], 0, ["node 'q', column 5", "exp takes one argument"]),
    (["q = exp(x=1)"], 0, ["node 'q', column 5", "exp takes one argument"]),
    (["q = exp"], 0, ["node 'q', column 5", "exp is a function: call it"]),
    (["q = 1j * x"], 0, ["node 'q', column 5", "is not allowed"]),
    (["q = True * x"], 0, ["node 'q', column 5", "a boolean (true) is not allowed"]),
    (["q = 1e999 * x"], 0, ["node 'q', column 5", "too large"]),
    (["q = w + x"], 0, ["node 'q', column 5", "no leaf or node named 'w'"]),
    (["q = x + f", "f = q * z"], 0, ["node 'q', column 9", "'f' is used before it is defined (by nodes[1])"]),
    (["q = q + x"], 0, ["node 'q', column 5", "q uses itself (a cycle)"]),
    (["a = b + x", "b = a + y", "f = b * z"], 0, ["node 'a', column 5", "'b' is used before it is defined"]),
    (["q = x + y", "q = q * z"], 1, ["node 'q', column 1", "'q' is already the name of an earlier node"]),
    (["x = y + z"], 0, ["node 'x', column 1", "'x' is already a leaf"]),
    (["q += x"], 0, ["node 'q', column 1", "not c += 1"]),
    (["q = x = y"], 0, ["node 'q', column 5", "expected one name before ="]),
    (["x + y"], 0, ["node 'x', column 1", "expected name = expression"]),
    (["q = x +"], 0, ["node 'q', column 8", "cannot read it"]),
    (["q = (x"], 0, ["node 'q', column 5", "cannot read it"]),
    (["q = x; r = y"], 0, ["node 'q', column 8", "one node per string"]),
    (["q = x − y"], 0, ["node 'q', column 7", "'−' is not allowed (write -)"]),
    (["θ = x"], 0, ["column 1", "names are ASCII letters"]),
    (["q = x\nr = y"], 0, ["node 'q', column 6", "one line"]),
    ([""], 0, ["column 1", "empty"]),
    (["q = x"], 0, ["node 'q', column 5", "a node computes something"]),
    (["q = 3"], 0, ["node 'q', column 5", "a node computes something"]),
    (["exp = x + y"], 0, ["node 'exp', column 1", "'exp' is a function"]),
    (["loss = x + y"], 0, ["node 'loss', column 1", "a quantity every graph has"]),
    (["grad_q = x + y"], 0, ["node 'grad_q', column 1", "grad_… is how stepnet names"]),
    (["q_ = x + y"], 0, ["column 1", "cannot end with _"]),
    (["d = x * y + z", "d_1 = d * 2"], 0, ["node 'd', column 5", "d_1, which is also a leaf or a node"]),
    (["q = x + y", "u = q * 2", "f = q * z"], 1, ["node 'u' is not used by the output f"]),
    (["  q = x + y  ", "f = q * z", "g = zz"], 2, ["node 'g', column 5", "no leaf or node named 'zz'"]),
]


def slug(text: str) -> str:
    """A test id a command line passes whole (mutmut names tests on one): ASCII words and _ only
    (pytest writes θ as \\u03b8, which mutmut's second collection in one process no longer finds)."""
    return re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_") or "empty"


@pytest.mark.parametrize("nodes, index, fragments", REFUSED, ids=[f"{k}_{slug(r[0][-1])}" for k, r in enumerate(REFUSED)])
def test_a_construct_outside_the_grammar_is_one_error_naming_node_and_column(tmp_path, nodes, index, fragments):
    nodes = nodes if any(n.strip().startswith("f =") for n in nodes) else [*nodes, "f = q * z"]
    with pytest.raises(ScenarioError) as e:
        load(write(tmp_path, nodes))
    assert e.value.field == f"graph.nodes[{index}]"
    for fragment in fragments:
        assert fragment in e.value.message, (fragment, e.value.message)


@pytest.mark.parametrize("inputs, extra, field, fragment", [
    ("{ }", "", "graph.inputs", "expected a table of the leaves"),
    ("{ x = 1, w = 2 }", "", "graph.inputs", "the leaf w is not used by the output f"),
    ('{ x = "a" }', "", "graph.inputs", "the leaf x needs a finite number"),
    ('{ "x y" = 1 }', "", "graph.inputs", "'x y' cannot name a leaf"),
    ("{ x = 1, t = 2 }", "", "graph.inputs", "'t' is a quantity every graph has"),
    ("{ x = 1 }", 'output = "x"', "graph.output", "no node named 'x'"),
    ("{ x = 1 }", 'parameters = ["x"]', "graph.parameters", "add an [optimizer]"),
    ("{ x = 1 }", 'parameters = ["w"]', "graph.parameters", "no leaf named 'w'"),
    ("{ x = 1 }", '[optimizer]\nkind = "sgd"\nlearning_rate = 0.1', "optimizer", "lists none"),
    ("{ x = 1 }", '[network]\ninputs = 1', "network", "a [graph] scenario has none"),
    ("{ x = 1 }", '[[expect]]\nname = "grad_w"\nvalue = 1', "expect[0].name", "no quantity named 'grad_w'"),
])
def test_a_mistake_around_the_nodes_names_its_field(tmp_path, inputs, extra, field, fragment):
    with pytest.raises(ScenarioError) as e:
        load(write(tmp_path, ["f = x * 2"], inputs, extra))
    assert (e.value.field, fragment in e.value.message) == (field, True), e.value.message


# --- accumulation -------------------------------------------------------------------------


def contributions(d: Debugger, name: Name) -> list[float]:
    """The value of `name` after each op that writes it, stepping one iteration."""
    seen = []
    while d.index < d.n_ops:
        op = d.step()
        if op.output == name:
            seen.append(float(d.values[name]))
        if d.index == d.n_ops:
            break
    return seen


def test_a_node_used_twice_receives_two_contributions():
    """f = q·q + z with q = x + y = 3: ∂f/∂q = q + q, written one use at a time."""
    g = make_graph({"x": -2.0, "y": 5.0, "z": -4.0}, ["q = x + y", "f = q * q + z"])
    d = Debugger(g, NO_DATA)
    assert contributions(d, grad(N("q"))) == [3.0, 6.0]  # grad_f_1·q, then + grad_f_1·q
    assert float(d.values[grad(N("x"))]) == float(d.values[grad(N("y"))]) == 6.0 == 2 * (-2.0 + 5.0)
    assert float(d.values[grad(N("z"))]) == 1.0


def test_a_node_used_three_times_receives_three():
    """g = q·z + exp(q) + q/x: three uses of q in three operations, each its own step."""
    x, y, z = 0.5, 1.25, -4.0
    q = x + y
    g = make_graph({"x": x, "y": y, "z": z}, ["q = x + y", "g = q * z + exp(q) + q / x"])
    program_ops = [op for op in Debugger(g, NO_DATA).ops if op.output == grad(N("q"))]
    assert [op.label.rsplit(": ", 1)[1] for op in program_ops] == [f"contribution {k} of 3" for k in (1, 2, 3)]
    d = Debugger(g, NO_DATA)
    seen = contributions(d, grad(N("q")))
    # the backward pass visits the operations in reverse: q/x, then exp(q), then q·z
    terms = [1 / x, math.exp(q), z]
    assert seen == pytest.approx(list(np.cumsum(terms)), rel=1e-15)
    assert float(d.values[grad(N("x"))]) == pytest.approx(sum(terms) + (-q / x**2), rel=1e-15)


def test_an_operand_used_twice_in_one_operation_gets_two_ops():
    g = make_graph({"x": 3.0}, ["f = x * x"])
    d = Debugger(g, NO_DATA)
    assert contributions(d, grad(N("x"))) == [3.0, 6.0]


# --- stepping back, and the fast path -----------------------------------------------------


def every_state(d: Debugger, positions: int) -> list[dict]:
    states = []
    for _ in range(positions):
        d.step()
        states.append({k: v.copy() for k, v in d.values.items()})
    return states


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(a[k].tobytes() == b[k].tobytes() for k in a)


@pytest.mark.parametrize("name", ["micrograd", "adam_by_hand", "cs231n_circuit"])
def test_stepping_back_is_exact_on_a_graph(scenarios, name):
    s = load(scenarios / f"{name}.toml")
    d = s.debugger()
    forward = every_state(d, 3 * d.n_ops)
    rng = np.random.default_rng(0)
    for target in [*rng.integers(1, len(forward) + 1, 25), 1, len(forward)]:
        d.goto(int(target))
        assert same(d.values, forward[target - 1]), target
    d.goto(len(forward))
    while d.position > 1:
        d.back()
        assert same(d.values, forward[d.position - 1])


@pytest.mark.parametrize("name", ["micrograd", "adam_by_hand", "cs231n_circuit"])
def test_the_fast_path_is_bit_identical_to_stepping_on_a_graph(scenarios, name):
    s = load(scenarios / f"{name}.toml")
    stepped = s.debugger()
    states = every_state(stepped, 4 * stepped.n_ops)
    program, state = stepped.program, s.model.initial_state()
    for iteration in range(1, 5):
        assert same(program.run(state, iteration), states[iteration * stepped.n_ops - 1])
        state, loss, finite = program.iterate(state, iteration)
        assert finite and loss == float(states[iteration * stepped.n_ops - 1][N("loss")])
    fast = s.debugger()
    fast.run_iterations(4)
    assert same(fast.parameters(), {k: states[-1][k] for k in s.model.state_names()})


def test_a_non_finite_value_is_found_by_stepping_and_by_the_fast_path():
    g = make_graph({"x": 800.0}, ["f = 1 / exp(x) + x"])  # exp overflows; 1/inf = 0, f stays finite
    stepped = Debugger(g, NO_DATA)
    while stepped.fault is None and stepped.position < stepped.n_ops:
        stepped.step()
    fast = Debugger(g, NO_DATA)
    fast.run_iterations(2)
    assert stepped.fault is not None and fast.fault is not None
    assert (fast.fault.position, str(fast.fault.op.output)) == (stepped.fault.position, "f_1") == (2, "f_1")


# --- optimizers on leaves -----------------------------------------------------------------


@pytest.mark.parametrize("kind, options, by_hand", [
    ("sgd", {}, lambda th, g, s, t: (th - 0.1 * g, s)),
    ("momentum", {"momentum": 0.9}, lambda th, g, s, t: (th + (0.9 * s - 0.1 * g), 0.9 * s - 0.1 * g)),
    ("rmsprop", {"decay": 0.9}, lambda th, g, s, t: (th - 0.1 * g / (math.sqrt(0.9 * s + 0.1 * g * g) + 1e-8),
                                                      0.9 * s + 0.1 * g * g)),
    ("adagrad", {}, lambda th, g, s, t: (th - 0.1 * g / (math.sqrt(s + g * g) + 1e-8), s + g * g)),
])
def test_every_optimizer_trains_a_parameter_leaf(kind, options, by_hand):
    """(θ − 4)² with x = 4 an input leaf: θ follows each rule written out here; x does not move."""
    g = make_graph({"theta": 0.0, "x": 4.0}, ["f = (theta - x)**2"], ("theta",), Optimizer.of(kind, 0.1, **options))
    d = Debugger(g, NO_DATA)
    th, slot = 0.0, 0.0
    for t in range(1, 6):
        th, slot = by_hand(th, 2 * (th - 4.0), slot, t)
        d.run_iterations(1)
        assert float(d.values[N("theta")]) == pytest.approx(th, rel=1e-14)
        assert float(d.values[N("x")]) == 4.0
    if kind != "sgd":
        slot_name = {"momentum": "v_theta", "rmsprop": "s_theta", "adagrad": "s_theta"}[kind]
        assert float(d.values[N(slot_name)]) == pytest.approx(slot, rel=1e-14)


def test_expectations_name_leaves_nodes_gradients_and_optimizer_state(tmp_path):
    path = write(tmp_path, ["f = theta**2"], "{ theta = 1.0 }", "\n".join([
        'parameters = ["theta"]', "[optimizer]", 'kind = "adam"', "learning_rate = 0.1",
        *(f'[[expect]]\nname = "{n}"\nvalue = {v}' for n, v in
          [("theta", 0.9), ("f", 1.0), ("grad_theta", 2.0), ("m_theta", 0.2), ("v_theta", 0.004),
           ("mhat_theta", 2.0), ("vhat_theta", 4.0), ("loss", 1.0), ("grad_f", 1.0)])]))
    s = load(path)
    outcomes = check(s.debugger(), s.expectations)
    assert [str(o.expectation.name) for o in outcomes][:3] == ["theta", "f", "grad_theta"]
    assert all(o.ok for o in outcomes), [(o.expectation.label, o.computed) for o in outcomes]


# --- for a view ---------------------------------------------------------------------------


def test_vertices_lay_the_graph_out_in_columns():
    g = make_graph({"x": -2.0, "y": 5.0, "z": -4.0}, ["q = x + y", "f = q * z + exp(x)"])
    shown = [(str(v.name), v.role, v.depth, str(v.node), [str(o) for o in v.operands], v.formula)
             for v in g.vertices()]
    assert shown == [
        ("x", "input", 0, "x", [], "x"), ("y", "input", 0, "y", [], "y"), ("z", "input", 0, "z", [], "z"),
        ("q", "node", 1, "q", ["x", "y"], "q = x + y"),
        ("f_1", "step", 2, "f", ["q", "z"], "f_1 = q·z"),
        ("f_2", "step", 1, "f", ["x"], "f_2 = exp(x)"),
        ("f", "output", 3, "f", ["f_1", "f_2"], "f = f_1 + f_2"),
    ]


def test_focus_names_what_each_op_writes_and_reads():
    g = make_graph({"theta": 1.0, "x": 2.0}, ["q = theta * x", "f = q * q"], ("theta",), Optimizer.of("adam", 0.1))
    d = Debugger(g, NO_DATA)
    seen = [(str(op.output), *(lambda w, r: (str(w), [str(n) for n in r]))(*g.focus(op))) for op in d.ops]
    assert seen == [
        ("t", "None", []), ("q", "q", ["theta", "x"]), ("f", "f", ["q"]), ("loss", "f", ["f"]), ("grad_f", "f", []),
        ("grad_q", "q", ["f", "q"]), ("grad_q", "q", ["q", "f"]),  # grad_q += grad_f·q, twice: it reads its sum
        ("grad_theta", "theta", ["q", "x"]), ("grad_x", "x", ["q", "theta"]),
        ("m_theta", "theta", ["theta"]), ("v_theta", "theta", ["theta"]), ("mhat_theta", "theta", ["theta"]),
        ("vhat_theta", "theta", ["theta"]), ("theta", "theta", ["theta"]),
    ]


#: f = q·q·z + exp(2) with q = x + y, x trained by SGD at a rate halved every iteration: a node
#: used twice by one operation, and a step of constants only (exp(2)), which no gradient reaches
STEPPED = (("q = x + y", "f = q * q * z + exp(2)"), ("x",),
           Optimizer.of("sgd", 0.1, schedule=("step", {"gamma": 0.5, "every": 1})))


def stepped_graph():
    nodes, parameters, optimizer = STEPPED
    return make_graph({"x": -2.0, "y": 5.0, "z": -4.0}, list(nodes), parameters, optimizer)


def test_each_op_of_a_graph_its_phase_what_it_says_and_its_code():
    """Every op in order, as written out here; its code run as Python, op after op from the
    leaves, gives the values of the chain rule worked by hand — and the engine's own."""
    d = Debugger(stepped_graph(), NO_DATA)
    through_q, through_f2 = "∂J/∂q through f_1 = q·q", "∂J/∂{} through f_2 = f_1·z: its only contribution"
    assert [(op.kind, op.phase, str(op.output), op.label, op.code) for op in d.ops] == [
        ("start", "forward", "t", "the leaves, as the iteration starts", ""),
        ("operation", "forward", "q", "sum", "q = x + y"),
        ("operation", "forward", "f_1", "product", "f_1 = q * q"),
        ("operation", "forward", "f_2", "product", "f_2 = f_1 * z"),
        ("operation", "forward", "f_3", "exponential", "f_3 = np.exp(2.0)"),
        ("operation", "forward", "f", "sum", "f = f_2 + f_3"),
        ("loss", "loss", "loss", "the objective: the output", "loss = f"),
        ("loss_grad", "loss", "grad_f", "∂J/∂f = 1 (J is f): the backward pass starts", "grad_f = 1.0"),
        ("contribution", "backward", "grad_f_2", "∂J/∂f_2 through f = f_2 + f_3: its only contribution",
         "grad_f_2 = grad_f * 1.0"),
        ("contribution", "backward", "grad_f_1", through_f2.format("f_1"), "grad_f_1 = grad_f_2 * z"),
        ("contribution", "backward", "grad_z", through_f2.format("z"), "grad_z = grad_f_2 * f_1"),
        ("contribution", "backward", "grad_q", f"{through_q}: contribution 1 of 2", "grad_q = grad_f_1 * q"),
        ("contribution", "backward", "grad_q", f"{through_q}: contribution 2 of 2", "grad_q = grad_q + grad_f_1 * q"),
        ("contribution", "backward", "grad_x", "∂J/∂x through q = x + y: its only contribution",
         "grad_x = grad_q * 1.0"),
        ("contribution", "backward", "grad_y", "∂J/∂y through q = x + y: its only contribution",
         "grad_y = grad_q * 1.0"),
        ("lr", "update", "lr", "learning rate (step schedule)", "lr = 0.1 * 0.5 ** ((t - 1) // 1)"),
        ("update", "update", "x", "update (sgd)", "x = x - lr * grad_x"),
    ]
    x, y, z = -2.0, 5.0, -4.0
    q = x + y
    grad_q = 2 * q * z  # ∂(q²z)/∂q
    by_hand = {"q": q, "f_1": q * q, "f_2": q * q * z, "f_3": math.exp(2), "f": q * q * z + math.exp(2),
               "loss": q * q * z + math.exp(2), "grad_f": 1.0, "grad_f_2": 1.0, "grad_f_1": z, "grad_z": q * q,
               "grad_x": grad_q, "grad_y": grad_q, "lr": 0.1, "x": x - 0.1 * grad_q}
    variables: dict = {"np": np, "x": x, "y": y, "z": z, "t": 1}
    for op in d.ops:
        d.step()
        if op.code:
            exec(op.code, variables)
            assert variables[str(op.output)] == float(d.values[op.output]), op.code
    assert {name: variables[name] for name in by_hand} == pytest.approx(by_hand, rel=1e-15)
    assert variables["grad_q"] == grad_q


def test_a_graph_s_leaves_are_read_only():
    from stepnet.engine.graph import Graph

    leaf = np.array(2.0)
    g = Graph({N("x"): leaf}, (), (), N("x"))
    assert not g.leaves[N("x")].flags.writeable and not leaf.flags.writeable


def test_vertices_of_parameters_and_of_a_step_of_constants():
    shown = [(str(v.name), v.role, v.depth, v.expression, v.gate) for v in stepped_graph().vertices()]
    assert shown == [
        ("x", "parameter", 0, "", ""), ("y", "input", 0, "", ""), ("z", "input", 0, "", ""),
        ("q", "node", 1, "x + y", "+"), ("f_1", "step", 2, "q·q", "·"), ("f_2", "step", 3, "f_1·z", "·"),
        ("f_3", "step", 1, "exp(2)", "exp2"),  # no operand but a number: one column past the leaves
        ("f", "output", 4, "f_2 + f_3", "+"),
    ]


def test_the_rate_of_a_schedule_is_no_vertex_s():
    g = stepped_graph()
    (lr,) = [op for op in Debugger(g, NO_DATA).ops if op.kind == "lr"]
    assert g.focus(lr) == (None, ())


def test_trace_and_train_on_a_graph(scenarios, capsys):
    assert main(["trace", "cs231n_circuit", "--digits", "4"]) == 0
    out = capsys.readouterr().out
    assert "f = 1/f_3" in out and "grad_f_3 += grad_f·(−1/f_3²)" in out and "grad_dot_3 += grad_dot·1" in out
    assert main(["train", "adam_by_hand", "-n", "5", "--report-every", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[3].split() == ["iteration", "J", "before", "J", "after", "|∂J/∂theta|"]
    th = 0.507963659264342  # after five steps, as tests/test_graph_examples.py computes it
    assert float(lines[4].split()[2]) == pytest.approx(th**2, rel=1e-5)
    assert lines[-1].endswith(f"theta = {th:.6g}")


# --- anything at all ----------------------------------------------------------------------

TOKENS = ["x", "y", "q", "f", "exp", "log", "relu", "sigmoid", "tanh", "max", "__import__", "lambda", "if",
          "0", "2", "1.5", "1e999", "-", "+", "*", "/", "**", "%", "(", ")", "[", "]", ".", ",", "'", '"', "=",
          "==", ":", ";", "\\", " ", "−", "θ", "\t"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(TOKENS), max_size=12).map("".join), min_size=1, max_size=3))
def test_any_node_text_is_read_or_refused_in_one_line(tmp_path, texts):
    """Random token soup as nodes: a graph that runs, or one ScenarioError in [graph]."""
    path = tmp_path / "g.toml"
    path.write_text(f'title = "g"\n[graph]\ninputs = {{ x = 0.5, y = 2.0 }}\nnodes = {json.dumps(texts)}\n')
    try:
        s = load(path)
    except ScenarioError as e:
        assert e.field.startswith("graph.") and "\n" not in str(e)
        return
    d = s.debugger()
    d.run_iterations(1)
    d.gradient_check()


def _binary(symbol, f):
    return lambda a, b: (f"({a[0]} {symbol} {b[0]})", lambda x, y: f(a[1](x, y), b[1](x, y)))


def _call(name, f):
    return lambda a: (f"{name}({a[0]})", lambda x, y: f(a[1](x, y)))


#: (text, the same function in Python): an expression and what it must compute
EXPRESSIONS = st.recursive(
    st.sampled_from([("x", lambda x, y: x), ("y", lambda x, y: y), ("0.5", lambda x, y: 0.5), ("3", lambda x, y: 3.0)]),
    lambda inner: st.one_of(
        st.builds(_binary("+", lambda a, b: a + b), inner, inner),
        st.builds(_binary("-", lambda a, b: a - b), inner, inner),
        st.builds(_binary("*", lambda a, b: a * b), inner, inner),
        st.builds(_call("tanh", math.tanh), inner),
        st.builds(_call("sigmoid", lambda v: 1 / (1 + math.exp(-v))), inner),
        st.builds(_call("exp", lambda v: math.exp(math.tanh(v))), inner.map(lambda a: (f"tanh({a[0]})", a[1]))),
        st.builds(lambda a: (f"(-{a[0]})", lambda x, y: -a[1](x, y)), inner),
        st.builds(lambda a: (f"({a[0]})**2", lambda x, y: a[1](x, y) ** 2), inner),
    ), max_leaves=8)


@settings(max_examples=100, deadline=None)
@given(EXPRESSIONS, st.floats(-2, 2), st.floats(-2, 2))
def test_a_random_expression_computes_its_value_and_gradient(expression, x, y):
    """The engine's value against the same function in Python, and its gradients against
    central differences of that function."""
    text, f = expression
    g = make_graph({"x": x, "y": y}, [f"u = 1 * ({text})", "f = u * x + y"])
    d = Debugger(g, NO_DATA)
    d.goto(d.program.backward_end)
    F = lambda x, y: f(x, y) * x + y  # noqa: E731
    assert float(d.values[N("f")]) == pytest.approx(F(x, y), rel=1e-12, abs=1e-12)
    h = 1e-6
    assert float(d.values[N("grad_x")]) == pytest.approx((F(x + h, y) - F(x - h, y)) / (2 * h), rel=1e-5, abs=1e-6)
    assert float(d.values[N("grad_y")]) == pytest.approx((F(x, y + h) - F(x, y - h)) / (2 * h), rel=1e-5, abs=1e-6)
