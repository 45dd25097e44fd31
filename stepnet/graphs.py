"""The `[graph]` section of a scenario: leaves and their values, the parameters among them, the
nodes as `name = expression`, and the output.

An expression is parsed by the standard library's `ast` and nothing in it is evaluated:
only numbers, names, + - * /, unary -, ** with a number for exponent, parentheses and the
calls exp, log, tanh, sigmoid and relu are accepted; each operation becomes one step of
the node (`graph.Application`), innermost first. Anything else is one `ScenarioError`
naming the node and the column.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from stepnet.engine.expressions import FUNCTIONS, OPERATIONS, Operand, Operation
from stepnet.engine.formula import Constant
from stepnet.engine.graph import Application, Graph, Node
from stepnet.engine.model import Optimizer
from stepnet.engine.names import LOSS, RATE, STEP, Name
from stepnet.engine.op import frozen
from stepnet.errors import ScenarioError
from stepnet.fields import Table, describe, did_you_mean, finite, is_number

KEYS = ("inputs", "parameters", "nodes", "output")
ALLOWED = "numbers, names, + - * / **, unary -, parentheses and the functions " + ", ".join(FUNCTIONS)
#: the quantities every graph has, whose names a leaf or node cannot take
RESERVED = frozenset(str(name) for name in (LOSS, STEP, RATE))

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BINARY = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide"}
#: what an operator stepnet does not take is, to say so
_OPERATORS = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
              ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Not: "not", ast.Invert: "~", ast.UAdd: "unary +"}
_CONSTRUCTS = {
    ast.Attribute: "an attribute (x.y)", ast.Subscript: "a subscript (x[i])", ast.Lambda: "a lambda",
    ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "a conditional (… if … else …)",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set", ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment expression (:=)", ast.Starred: "a starred expression",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator", ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}
#: what people paste from a formula instead of the ASCII it needs
_UNICODE = {"−": "-", "×": "*", "·": "*", "÷": "/", "²": "**2", "³": "**3"}


def read(top: Table, optimizer: Callable[[list[str]], Optimizer]) -> Graph:
    """The graph of `[graph]`; `optimizer(parameters)` reads the [optimizer] that trains them."""
    t = top.table_("graph", KEYS)
    leaves = _leaves(t)
    parameters = t.names("parameters", list(leaves), "leaf", "leaves", '["theta"]')
    if parameters and "optimizer" not in top:
        raise t.error("parameters", "nothing updates them: add an [optimizer], or leave parameters out")
    if "optimizer" in top and not parameters:
        raise top.error("optimizer", "updates graph.parameters, which lists none: name the leaves it trains, "
                                     "such as parameters = [\"theta\"]")
    texts = t.get("nodes", lambda v: isinstance(v, list) and bool(v) and all(isinstance(s, str) for s in v),
                  "a list of nodes, each a string such as \"q = x + y\"")
    nodes = Parser(t, list(leaves), texts).nodes()
    output = _output(t, nodes)
    _check_used(t, leaves, nodes, output)
    return Graph({Name.parse(k): frozen(np.array(v)) for k, v in leaves.items()},
                 tuple(map(Name.parse, parameters)), nodes, output.name,
                 optimizer(parameters) if parameters else Optimizer())


def refusal(name: str) -> str | None:
    """Why `name` cannot name a leaf or a node, or None if it can."""
    if not _NAME.fullmatch(name):
        return "a name is ASCII letters, digits and _, not starting with a digit"
    if keyword.iskeyword(name):
        return f"{name!r} is a Python keyword"
    if name in FUNCTIONS:
        return f"{name!r} is a function"
    if name in RESERVED:
        return f"{name!r} is a quantity every graph has"
    if name.endswith("_"):
        return "a name cannot end with _"
    if Name.parse(name).prefix:
        return f"{name.partition('_')[0]}_… is how stepnet names what it keeps about a value (grad_x, m_theta)"
    return None


def _leaves(t: Table) -> dict[str, float]:
    leaves = t.get("inputs", lambda v: isinstance(v, dict) and bool(v),
                   "a table of the leaves and their values, such as { x = -2.0, y = 5.0 }")
    for name, value in leaves.items():
        why = refusal(name)
        if why:
            raise t.error("inputs", f"{name!r} cannot name a leaf: {why}")
        if not (is_number(value) and finite(value)):
            raise t.error("inputs", f"the leaf {name} needs a finite number, got {describe(value)}")
    return {name: float(value) for name, value in leaves.items()}


def _output(t: Table, nodes: tuple[Node, ...]) -> Node:
    by_name = {str(node.name): node for node in nodes}
    name = t.string("output", str(nodes[-1].name))
    if name not in by_name:
        raise t.error("output", f"no node named {name!r}{did_you_mean(name, by_name)}; "
                                f"the output is one of the nodes ({', '.join(by_name)})")
    return by_name[name]


def _check_used(t: Table, leaves: dict[str, float], nodes: tuple[Node, ...], output: Node) -> None:
    """Every leaf and node reaches the output: one that does not is a mistake (and would have
    no gradient)."""
    producers = {step.output: step for node in nodes for step in node.steps}
    used, stack = {output.name}, [output.name]
    while stack:
        step = producers.get(stack.pop())
        for name in step.reads if step else ():
            if name not in used:
                used.add(name)
                stack.append(name)
    for i, node in enumerate(nodes):
        if node.name not in used:
            raise _at_node(t, i, f"node {str(node.name)!r} is not used by the output {output.name}, nor by a node "
                                 "that is: remove it, or use it")
    for leaf in leaves:
        if Name.parse(leaf) not in used:
            raise t.error("inputs", f"the leaf {leaf} is not used by the output {output.name}, nor by a node "
                                    "that is: remove it, or use it")


def _at_node(t: Table, i: int, message: str) -> ScenarioError:
    """A mistake in the i-th node: the field is graph.nodes[i]."""
    return ScenarioError(t.path, f"{t.field('nodes')}[{i}]", message)


#: an operation of a node being read: what it is, its operands (an int: the step that
#: computes it) and where it is written
_Step = tuple[Operation, tuple[Operand | int, ...], int]


class Parser:
    """The nodes of `[graph]`, each parsed into its operations."""

    def __init__(self, t: Table, leaves: Sequence[str], texts: Sequence[str]) -> None:
        self.t = t
        self.texts = texts
        self.leaves = {leaf: Name.parse(leaf) for leaf in leaves}
        self.done: dict[str, Name] = {}  # the nodes read so far
        #: the node each text defines, where it can be seen: for "used before it is defined"
        self.defines = {m[1]: i for i, text in reversed(list(enumerate(texts)))
                        if (m := re.match(r"\s*([A-Za-z_]\w*)\s*=(?!=)", text))}
        self.i = 0
        self.name = ""
        self.indent = 0

    def nodes(self) -> tuple[Node, ...]:
        result = []
        for i, text in enumerate(self.texts):
            self.i = i
            node = self._node(text)
            self.done[str(node.name)] = node.name
            result.append(node)
        return tuple(result)

    def error(self, column: int, message: str) -> ScenarioError:
        """The mistake at `column` of the node's text (1-based)."""
        where = f"node {self.name!r}, column {column}" if self.name else f"column {column}"
        return _at_node(self.t, self.i, f"{where}: {message}")

    def at(self, tree: ast.AST, message: str) -> ScenarioError:
        return self.error(self.indent + getattr(tree, "col_offset", 0) + 1, message)

    def _node(self, text: str) -> Node:
        m = re.match(r"\s*([A-Za-z_]\w*)", text)
        self.name = m[1] if m else ""
        for column, c in enumerate(text, start=1):
            if ord(c) > 127:
                hint = f"write {_UNICODE[c]}" if c in _UNICODE else "names are ASCII letters, digits and _"
                raise self.error(column, f"{c!r} is not allowed ({hint})")
            if not c.isprintable():
                raise self.error(column, "a node is one line: name = expression")
        body = text.lstrip()
        self.indent = len(text) - len(body)
        try:
            with warnings.catch_warnings():  # "invalid decimal literal" and such: the error says enough
                warnings.simplefilter("ignore")
                tree = ast.parse(body, mode="exec")
        except SyntaxError as e:
            raise self.error(self.indent + (e.offset or 1), f"cannot read it ({e.msg}): expected name = "
                                                            "expression, such as d = a * b + b**3") from None
        except (RecursionError, MemoryError):
            raise self.error(self.indent + 1, "nested too deeply") from None
        if not tree.body:
            raise self.error(1, "empty: expected name = expression, such as d = a * b + b**3")
        statement = tree.body[0]
        if len(tree.body) > 1:
            raise self.at(tree.body[1], "one node per string: name = expression")
        if isinstance(statement, ast.AugAssign):
            raise self.at(statement, "a node is defined once: name the new value (c2 = c + 1), not c += 1")
        if not isinstance(statement, ast.Assign):
            raise self.at(statement, "expected name = expression, such as d = a * b + b**3")
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            raise self.at(statement.targets[-1], "expected one name before =")
        name = statement.targets[0].id
        why = refusal(name)
        if why:
            raise self.error(self.indent + 1, f"{name!r} cannot name a node: {why}")
        if name in self.leaves or name in self.done:
            what = "a leaf" if name in self.leaves else "the name of an earlier node"
            raise self.error(self.indent + 1, f"{name!r} is already {what}: a node is defined once; "
                                              f"name this one differently (such as {name}2)")
        steps: list[_Step] = []
        if not isinstance(self._operand(statement.value, steps), int):
            raise self.at(statement.value, "a node computes something: write this value where the node is used, "
                                           "or make it a leaf")
        return Node(Name.parse(name), body, self._applications(steps))

    def _applications(self, steps: list[_Step]) -> tuple[Application, ...]:
        """The steps as applications, named d_1, d_2, … and the last one d."""
        names = [f"{self.name}_{k}" for k in range(1, len(steps))]
        for name, (_, _, column) in zip(names, steps):
            if name in self.leaves or name in self.defines:
                raise self.error(column, f"this step of {self.name} is named {name}, which is also a leaf or a "
                                         f"node: rename that one")
        resolved = [*map(Name.parse, names), Name.parse(self.name)]
        return tuple(Application(out, operation, tuple(resolved[o] if isinstance(o, int) else o for o in operands))
                     for out, (operation, operands, _) in zip(resolved, steps))

    # --- the expression ---------------------------------------------------------------

    def _operand(self, tree: ast.expr, steps: list[_Step]) -> Operand | int:
        """A leaf or node, a number, or (an int) the step that computes `tree`, added to
        `steps` after the steps of its operands."""
        if isinstance(tree, ast.Constant):
            return self._number(tree, tree.value)
        if isinstance(tree, ast.Name):
            return self._name(tree)
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
            if isinstance(tree.operand, ast.Constant):
                return self._number(tree, -self._number(tree.operand, tree.operand.value).value)
            return self._apply(tree, "negate", {}, [tree.operand], steps)
        if isinstance(tree, ast.BinOp) and type(tree.op) in _BINARY:
            return self._apply(tree, _BINARY[type(tree.op)], {}, [tree.left, tree.right], steps)
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Pow):
            return self._apply(tree, "power", {"exponent": self._exponent(tree.right)}, [tree.left], steps)
        if isinstance(tree, ast.Call):
            return self._apply(tree, self._function(tree), {}, [tree.args[0]], steps)
        if isinstance(tree, ast.BinOp | ast.UnaryOp):
            raise self.at(tree, f"{_OPERATORS.get(type(tree.op), 'this operator')} is not allowed; an expression "
                                f"holds {ALLOWED}")
        what = _CONSTRUCTS.get(type(tree), f"this ({type(tree).__name__})")
        raise self.at(tree, f"{what} is not allowed; an expression holds {ALLOWED}")

    def _apply(self, tree: ast.expr, operation: str, options: dict[str, object], operands: list[ast.expr],
               steps: list[_Step]) -> int:
        done = tuple(self._operand(o, steps) for o in operands)
        steps.append((OPERATIONS.make(operation, options), done, self.indent + tree.col_offset + 1))
        return len(steps) - 1

    def _number(self, tree: ast.expr, value: object) -> Constant:
        if not is_number(value):
            raise self.at(tree, f"{describe(value)} is not allowed; an expression holds {ALLOWED}")
        number = float(value)  # type: ignore[arg-type]
        if not math.isfinite(number):
            raise self.at(tree, "the number is too large for a float")
        text = repr(number).removesuffix(".0")
        return Constant(f"({text})" if number < 0 else text, f"({text})" if number < 0 else text, number)

    def _exponent(self, tree: ast.expr) -> float:
        negative = isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub)
        inner = tree.operand if isinstance(tree, ast.UnaryOp) and negative else tree
        if not isinstance(inner, ast.Constant):
            raise self.at(tree, "the exponent of ** is a number (x**2, x**-1); for a variable one, "
                                "write exp(y*log(x))")
        value = self._number(inner, inner.value).value
        return -value if negative else value

    def _function(self, call: ast.Call) -> str:
        func = call.func
        if isinstance(func, ast.Attribute):
            raise self.at(func, f"an attribute (x.y) is not allowed: the functions are {', '.join(FUNCTIONS)}")
        if not isinstance(func, ast.Name):
            raise self.at(func, f"only a function is called, by its name: {', '.join(FUNCTIONS)}")
        if func.id not in FUNCTIONS:
            raise self.at(func, f"{func.id!r} is not a function stepnet knows: the functions are "
                                f"{', '.join(FUNCTIONS)}")
        if len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
            raise self.at(call, f"{func.id} takes one argument: {func.id}(x)")
        return func.id

    def _name(self, tree: ast.Name) -> Name:
        name = tree.id
        if name in self.leaves:
            return self.leaves[name]
        if name in self.done:
            return self.done[name]
        if name == self.name:
            raise self.at(tree, f"{name} uses itself (a cycle): a node may use only the leaves and the nodes "
                                "above it")
        if name in self.defines:
            raise self.at(tree, f"{name!r} is used before it is defined (by nodes[{self.defines[name]}]): a node "
                                "may use only the leaves and the nodes above it")
        if name in FUNCTIONS:
            raise self.at(tree, f"{name} is a function: call it, {name}(x)")
        known = [*self.leaves, *self.done]
        raise self.at(tree, f"no leaf or node named {name!r}{did_you_mean(name, known)} "
                            f"(there are {', '.join(known)})")
