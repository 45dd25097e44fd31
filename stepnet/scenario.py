"""Scenario files: a network, its weights, data, loss, optimizer and the figures a source states.

`load(path)` reads and checks a TOML scenario and returns a `Scenario`, or raises one
`ScenarioError` naming the file, the field and what was expected. The format is
documented in docs/scenario-format.md.

What only some scenarios need is imported when one does: computation graphs, parameters
from files, NumPy's random generators (~15 ms of `stepnet train`'s start-up on a small
network with its weights given).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import numpy as np

from stepnet import data as datafile
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.conventions import LAYOUTS, NAME, Alias, Glossary, Layout, Notation, Rounding, parse_target
from stepnet.engine.debugger import Debugger
from stepnet.engine.expect import Expectation
from stepnet.engine.losses import LOSSES, REDUCTIONS
from stepnet.engine.model import RATE, Dataset, Layer, Model, Optimizer
from stepnet.engine.names import Name
from stepnet.engine.optimizers import OPTIMIZERS, SCHEDULES
from stepnet.engine.program import Program, build_program
from stepnet.engine.registry import Kind, Registry
from stepnet.errors import ScenarioError, one_line, printable
from stepnet.fields import REQUIRED, Table, array, count, describe, did_you_mean, is_number
from stepnet.files import TooLarge, read_at_most
from stepnet.limits import DEFAULT, Limits

if TYPE_CHECKING:
    from stepnet.engine.graph import Graph

    #: the generator an `init` draws from, made when the first one does
    Generator = Callable[[], np.random.Generator]

T = TypeVar("T")
INITS = ("xavier", "he", "normal", "uniform", "zeros")
#: the inits that draw from the seed's generator (one generator, layer after layer); zeros draws nothing
DRAWN_INITS = frozenset(INITS) - {"zeros"}
#: UTF-8's byte-order mark, which some Windows editors write first
BOM = b"\xef\xbb\xbf"
#: an init scale this large would draw infinite weights
MAX_SCALE = 1e100

#: an `[[expect]]` further out would make `stepnet check` train for hours
MAX_EXPECT_ITERATION = 100_000


class Scenario(NamedTuple):
    """A scenario file, read and checked: the model, its data, the source's figures and notation.
    Its title, description and source are as shown: their unprintable characters escaped."""

    path: Path
    title: str
    description: str
    source: str
    #: the model on its data, as the ops of one iteration
    program: Program
    expectations: tuple[Expectation, ...]
    #: the source's conventions: its layout of W, its rounding, its names
    notation: Notation = Notation()
    #: the limits it was read within, for whatever reads it again (a what-if saved)
    limits: Limits = DEFAULT

    @property
    def model(self) -> Model | Graph:
        return self.program.model  # type: ignore[return-value]  # a scenario's is one of the two

    @property
    def data(self) -> Dataset:
        return self.program.data

    def debugger(self) -> Debugger:
        return Debugger(self.model, self.data, program=self.program)


def load(path: str | Path, limits: Limits = DEFAULT, text: str | None = None) -> Scenario:
    """The scenario in `path`; or in `text`, read as if it were that file (the files it names
    are found beside it), for a file about to be written."""
    path = Path(path)
    doc = _toml(path, read_text(path, limits) if text is None else text, limits)
    top = Table(path, "", doc, ("title", "description", "source", "seed",
                                "network", "graph", "loss", "optimizer", "data", "expect", "notation"))
    title = one_line(top.string("title"))
    notation_t = top.table_("notation", ("layout", "rounding", "names"), None)
    layout: Layout = notation_t.string("layout", "out_in", choices=LAYOUTS)  # type: ignore[assignment]
    if "graph" in top:
        return _graph_scenario(path, top, title, notation_t, layout, limits)
    if "network" not in top:
        raise top.error("network", "missing: give [network] (a layered network) or [graph] (a computation graph)")
    seed = top.integer("seed", 0, minimum=0)
    rng: Generator = cache(lambda: np.random.default_rng(seed))  # numpy.random is imported by the first draw

    net = top.table_("network", ("inputs", "layers", "input_gradient"))
    inputs = net.integer("inputs", minimum=1)
    layer_tables = net.tables("layers", ("units", "activation", "weights", "init", "scale", "bias", "dropout",
                                         *ACTIVATIONS.options()))
    if len(layer_tables) > limits.layers:
        raise net.error("layers", limits.exceeded("layers", f"the network has {count(len(layer_tables), 'layer')}"))
    sizes = [inputs] + [t.integer("units", minimum=1) for t in layer_tables]
    n_params = sum(sizes[i] * sizes[i + 1] + (sizes[i + 1] if t.raw("bias", 0.0) is not False else 0)
                   for i, t in enumerate(layer_tables))
    if n_params > limits.parameters:
        raise net.error("layers", limits.exceeded("parameters", f"the network has {count(n_params, 'parameter')}"))
    layers, initial = [], {}
    for l, t in enumerate(layer_tables, start=1):
        layer, W, b = _layer(t, sizes[l - 1], l == len(layer_tables), rng, layout, path.parent, limits)
        layers.append(layer)
        initial[Name("W", l)] = W
        if b is not None:
            initial[Name("b", l)] = b

    loss_t = top.table_("loss", ("kind", "reduction", "l2", *LOSSES.options()), None)
    loss = _definition(loss_t, "kind", LOSSES, "loss") if "loss" in top else None
    reduction = REDUCTIONS[loss_t.string("reduction", "mean", choices=REDUCTIONS)]
    if loss is not None and loss.needs_probabilities and layers[-1].activation.name not in ("softmax", "sigmoid"):
        raise loss_t.error("kind", f"{loss.name} needs probabilities from the output layer: make the "
                                   f"last layer softmax or sigmoid (it is {layers[-1].activation.name})")
    l2 = loss_t.number("l2", 0.0, at_least=0.0)

    model = Model(inputs, tuple(layers), loss, reduction, _optimizer(top, initial, loss is not None), initial,
                  seed, l2, changes=_names_changes(top, notation_t),
                  input_gradient=net.boolean("input_gradient", False))
    dataset = _data(top, path, model, seed, limits)
    program = build_program(model, dataset)
    names = _names(notation_t, program)
    expectations = tuple(_expectations(top, program, names, layout))
    return Scenario(path, title, _prose(top, "description"), _prose(top, "source"), program, expectations,
                    Notation(layout, _rounding(notation_t), names), limits)


def _prose(top: Table, key: str) -> str:
    """The text of a free field (description, source), its tabs expanded and each line's other
    unprintable characters escaped: whatever shows it (a terminal, the debugger, a document
    written to stdout) shows them as text, never obeys them."""
    return "\n".join(one_line(line.expandtabs()) for line in top.string(key, "").split("\n"))


EMPTY = "expected a scenario (title, [network], [loss], [optimizer], [data])"
#: how a layer's `weights` are laid out, by the [notation] layout
WEIGHTS = {"out_in": "units × fan_in: row i holds the weights into neuron i",
           "in_out": "fan_in × units: row i holds the weights out of input i"}


def _graph_scenario(path: Path, top: Table, title: str, notation_t: Table, layout: Layout,
                    limits: Limits) -> Scenario:
    """A scenario of a computation graph: [graph], [optimizer] if it has parameters, [[expect]]."""
    from stepnet import graphs
    from stepnet.engine.graph import NO_DATA

    for key in ("network", "loss", "data", "seed"):
        if key in top:
            raise top.error(key, "a [graph] scenario has none: its objective is the graph's output, "
                                 "its data the leaves")

    def optimizer(parameters: list[str]) -> Optimizer:
        rule = _optimizer(top, map(Name.parse, parameters))
        assert rule is not None  # graphs.read asks only when there is an [optimizer]
        return rule

    graph = graphs.read(top, optimizer)
    program = build_program(graph, NO_DATA)
    names = _names(notation_t, program)
    expectations = tuple(_expectations(top, program, names, layout))
    return Scenario(path, title, _prose(top, "description"), _prose(top, "source"), program, expectations,
                    Notation(layout, _rounding(notation_t), names), limits)


def read_text(path: Path, limits: Limits = DEFAULT) -> str:
    """The text of the TOML file `path`; any file that is not one, or of more bytes than the
    `limits` allow (never read further), is a `ScenarioError`."""
    try:
        if not path.exists():
            raise ScenarioError(path, "", "no such file")
        if path.is_dir():
            raise ScenarioError(path, "", "is a directory, expected a scenario .toml file")
        if not path.is_file():  # a FIFO or a device such as /dev/zero would block or never end
            raise ScenarioError(path, "", "is not a regular file, expected a scenario .toml file")
        raw = read_at_most(path, limits.file_bytes)
    except TooLarge as e:
        raise ScenarioError(path, "", limits.exceeded("file_bytes", f"the file has {e}")) from None
    except OSError as e:
        raise ScenarioError(path, "", f"cannot read: {e.strerror or e}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(path, "", "is UTF-16 text; save it as UTF-8")
    if b"\x00" in raw:
        raise ScenarioError(path, "", "is a binary file, expected a TOML text file")
    raw = raw.removeprefix(BOM)  # a byte-order mark (Windows editors) is harmless
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ScenarioError(path, "", f"is not UTF-8 text (invalid byte 0x{raw[e.start]:02x} at line {line}, "
                                      f"column {column}); save it as UTF-8") from None
    if not text.strip():
        raise ScenarioError(path, "", f"is empty, {EMPTY}")
    return text


def _toml(path: Path, text: str, limits: Limits) -> dict:
    """The TOML document `text` (the file `path`'s); any text that is not one, or with keys of
    more dotted parts than the `limits` allow (refused before it is parsed), is a `ScenarioError`."""
    if deep := _deep_key(text, limits.key_parts):
        line = text.count("\n", 0, deep.start("key")) + 1
        raise ScenarioError(path, "", limits.exceeded(
            "key_parts", f"the key at line {line} has {len(re.findall(_KEY_PART, deep['key'])):,} dotted parts"))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(path, "", _syntax_message(str(e), text)) from None
    except ValueError:  # tomllib converts integers of more than 4300 digits with int()
        raise ScenarioError(path, "", "TOML value error: a number has too many digits") from None
    except RecursionError:
        raise ScenarioError(path, "", "TOML nesting too deep: arrays or tables nested hundreds of levels") from None
    if not doc:
        raise ScenarioError(path, "", f"holds only comments, {EMPTY}")
    return doc


#: one part of a TOML key: bare, "basic" or 'literal'
_KEY_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
#: where a key can start: a line's start, a [table] or [[array]] header's, after `{` or `,`
#: (an inline table's); then more than %d parts (possessive, so a long key is matched once,
#: not backtracked)
_DOTTED_KEY = rf"(?:^[ \t]*+\[{{0,2}}+|[{{,])[ \t]*+(?P<key>(?:{_KEY_PART}[ \t]*+\.[ \t]*+){{%d,}}+{_KEY_PART})"
#: what holds no key, however many dots it has: a comment, a string (each matched whole, to
#: its end or the text's when it is left open, so nothing is scanned twice)
_NO_KEY = "|".join((r'"""(?:\\[\s\S]|[^\\])*?(?:"""(?!")|\Z)', r"'''[\s\S]*?(?:'''(?!')|\Z)",
                    r'"(?:[^"\\\n]|\\.)*+"?', r"'[^'\n]*+'?", r"#[^\n]*+"))


def _deep_key(text: str, most: int) -> re.Match[str] | None:
    """The first key of more than `most` dotted parts, its parts in group `key`; a dotted
    comment or string is none. Linear in the text: tomllib's time on such a key is not.
    A key is written on one line (TOML ends lines with \n alone), so a text without a line
    of `most` dots has none, which is seen without compiling the pattern (a millisecond of
    every command's start)."""
    if all(line.count(".") < most for line in text.split("\n")):
        return None
    for found in re.finditer(f"(?m){_DOTTED_KEY % most}|{_NO_KEY}", text):
        if found["key"] is not None:
            return found
    return None

_HINTS = {
    "Invalid value": "text needs double quotes, e.g. activation = \"sigmoid\"; numbers are written 0.5, 1e-3",
    "Illegal character '\\n'": "a string is left open: close its quotes on the same line",
    "Cannot overwrite a value": "a key is given twice",
    "Cannot declare": "a [table] is declared twice; one per layer is written [[network.layers]]",
}


def _syntax_message(error: str, text: str) -> str:
    """tomllib's message as `TOML syntax error at line L, column C: what (hint)`."""
    m = re.fullmatch(r"(.*) \((?:at line (\d+), column (\d+)|at end of document)\)", error, re.S)
    if not m:
        return f"TOML syntax error: {error}"
    what, line, column = m.groups()
    if line is None:  # "at end of document": an array, table or string left open
        lines = text.split("\n")
        line, column, what = len(lines), len(lines[-1]) + 1, f"{what}, at the end of the file"
    # "Cannot declare ('network', 'layers') twice" names the table as TOML writes it
    what = re.sub(r"\(((?:'[^']*',? ?)+)\)", lambda k: "[" + ".".join(re.findall(r"'([^']*)'", k[1])) + "]", what)
    hint = next((h for prefix, h in _HINTS.items() if what.startswith(prefix)), None)
    row = text.split("\n")[int(line) - 1] if 0 < int(line) <= text.count("\n") + 1 else ""
    if re.search(r"\d,\d", row[int(column) - 2: int(column) + 1]):
        hint = "a decimal comma? numbers are written with a point: 0.5, not 0,5"
    if what.startswith("Invalid statement") and re.match(r"\s*[^\x00-\x7f]", row):
        hint = "a key with letters beyond A–Z, such as a source's name δ_o1, is written in quotes: \"δ_o1\" = …"
    return (f"TOML syntax error at line {line}, column {column}: {what[0].lower()}{what[1:]}"
            + (f" ({hint})" if hint else ""))


def _definition(t: Table, key: str, registry: Registry[T], what: str, default: str | None = None) -> T:
    """The definition named by t[key] (`activation = "elu"`, `kind = "adam"`), made with the
    options it takes from the same table. An option of another definition is refused, naming
    the ones that take it."""
    name = t.string(key, default if default is not None else REQUIRED, choices=registry)
    kind: Kind[T] = registry[name]
    own = {o.name for o in kind.options}
    for option, takers in registry.options().items():
        if option in t and option not in own:
            which = ", ".join(takers[:-1]) + " or " + takers[-1] if len(takers) > 1 else takers[0]
            article = "an" if which[0] in "aeiou" else "a"
            raise t.error(option, f"only {article} {which} {what} takes {option} (this one is {name})")
    values: dict[str, object] = {}
    for o in kind.options:
        if o.kind is bool:
            values[o.name] = t.boolean(o.name, o.default)
        elif o.kind is int:
            values[o.name] = t.integer(o.name, o.default, minimum=None if o.at_least is None else int(o.at_least))
        else:
            values[o.name] = t.number_in(o, float(o.default))
    return kind(**values)


def _layer(t: Table, fan_in: int, last: bool, rng: Generator, layout: Layout,
           base: Path, limits: Limits) -> tuple[Layer, np.ndarray, np.ndarray | None]:
    """A layer, its weights and its bias (None: none); `base` is the folder parameter files
    are named relative to."""
    units = t.integer("units", minimum=1)
    act = _definition(t, "activation", ACTIVATIONS, "layer")
    if act.name == "softmax" and not last:
        raise t.error("activation", "softmax is only allowed on the last (output) layer")

    rows, columns = (units, fan_in) if layout == "out_in" else (fan_in, units)
    shape = f"a {rows}×{columns} matrix ({WEIGHTS[layout]})"
    if "weights" in t and "init" in t:
        raise t.error("init", "give either weights or init, not both")
    if "weights" in t:
        def misshapen(got: tuple[int, ...]) -> str | None:
            """What is wrong with weights of shape `got`, with a hint when they are the other layout."""
            if got == (rows, columns):
                return None
            hint = (f"; if the source prints {WEIGHTS['in_out'].split(':')[0]}, say so in [notation]: "
                    "layout = \"in_out\"" if layout == "out_in" and got == (columns, rows) else "")
            return f"expected {shape}, got {_dims(got)}{hint}"

        if isinstance(t.raw("weights"), dict):
            W = _from_file(t, "weights", base, limits, misshapen)
        else:
            W = array(t, "weights", t.raw("weights"), 2, shape)
            if problem := misshapen(W.shape):
                raise t.error("weights", problem)
        W = W if layout == "out_in" else W.T.copy()
        if "scale" in t:
            raise t.error("scale", "scale goes with init, not with explicit weights")
    elif "init" in t:
        W = _init(t, t.string("init", choices=INITS), units, fan_in, rng)
    else:
        raise t.error("weights", f"missing: give weights ({shape}) or init = one of {', '.join(INITS)}")

    bias = t.raw("bias", 0.0)
    if bias is False:
        b = None
    elif isinstance(bias, dict):  # { file = "init.npz", key = "b1" }: a row or a column will do
        rows_of = ((units,), (1, units), (units, 1))
        b = _from_file(t, "bias", base, limits, lambda got: None if got in rows_of else (
            f"expected {count(units, 'number')} (one per unit, shape ({units},), (1, {units}) or ({units}, 1)), "
            f"got {_dims(got)}")).reshape(units)
    elif is_number(bias):
        b = array(t, "bias", [bias] * units, 1, "a finite number")
    elif isinstance(bias, list):
        numbers = f"a list of {count(units, 'number')}"
        b = array(t, "bias", bias, 1, numbers)
        if b.shape != (units,):
            raise t.error("bias", f"expected {numbers} (one per unit), got {len(b)}")
    else:
        raise t.error("bias", f"expected a number, a list of {count(units, 'number')}, or false; got {describe(bias)}")
    dropout = t.number("dropout", 0.0, at_least=0.0, below=1.0)
    if dropout and last:
        raise t.error("dropout", "dropout applies to hidden layers, not the output layer")
    return Layer(units, act, b is not None, dropout), W, b


def _from_file(t: Table, key: str, base: Path, limits: Limits,
               misshapen: Callable[[tuple[int, ...]], str | None]) -> np.ndarray:
    """The array `t[key] = { file = "init.npz", key = "W1" }` names, refused when `misshapen`
    says what is wrong with its shape, or beyond the `limits`."""
    from stepnet import arrays

    return arrays.named(t.table_(key, ("file", "key")), base, misshapen, limits)


def _init(t: Table, kind: str, units: int, fan_in: int, rng: Generator) -> np.ndarray:
    shape = (units, fan_in)
    if kind == "zeros":
        return np.zeros(shape)
    if kind == "uniform":
        scale = t.number("scale", 1.0 / np.sqrt(fan_in), positive=True, below=MAX_SCALE)
        return rng().uniform(-scale, scale, shape)
    if kind == "normal":
        return rng().standard_normal(shape) * t.number("scale", 0.01, positive=True, below=MAX_SCALE)
    if "scale" in t:
        raise t.error("scale", f"scale goes with init = \"normal\" or \"uniform\", not {kind!r}")
    std = np.sqrt(2.0 / (fan_in + units)) if kind == "xavier" else np.sqrt(2.0 / fan_in)
    return rng().standard_normal(shape) * std


def _optimizer(top: Table, parameters: Iterable[Name], loss: bool = True) -> Optimizer | None:
    """The [optimizer] of `parameters`, or None without one: an iteration then ends after the
    backward pass."""
    if "optimizer" not in top:
        return None
    if not loss:
        raise top.error("optimizer", "an optimizer needs a [loss] to take gradients of: add one, or leave "
                                     "[optimizer] out to stop after the forward pass")
    t = top.table_("optimizer", ("kind", "learning_rate", "frozen", "schedule", *OPTIMIZERS.options()))
    rule = _definition(t, "kind", OPTIMIZERS, "optimizer", default="sgd")
    lr = t.number_in(RATE)
    frozen = t.names("frozen", [str(name) for name in parameters], "parameter", "parameters", '["b1", "b2"]')
    schedule = None
    if "schedule" in t:
        s = t.table_("schedule", ("kind", *SCHEDULES.options()))
        schedule = _definition(s, "kind", SCHEDULES, "schedule")
    return Optimizer(rule, lr, frozenset(map(Name.parse, frozen)), schedule)


def _data(top: Table, path: Path, model: Model, seed: int, limits: Limits) -> Dataset:
    t = top.table_("data", ("inputs", "targets", "file", "batch_size", "shuffle"))
    outputs = model.layers[-1].units
    if model.loss is None:
        return _inputs_only(t, model, seed, limits)
    untargeted = model.loss.targets == "none"
    if untargeted and "targets" in t:
        raise t.error("targets", f"the {model.loss.name} loss takes no targets: J is the network's output")
    if untargeted and "file" in t:
        raise t.error("file", f"the {model.loss.name} loss takes no targets: give the inputs inline")
    if "file" in t:
        for key in ("inputs", "targets"):
            if key in t:
                raise t.error(key, "give either file or inputs/targets, not both")
        x, y = datafile.load(t, "file", path.parent, model.inputs, outputs, limits)
        where = "file"
    else:
        x = array(t, "inputs", t.raw("inputs"), 2, f"a list of samples, each a list of {count(model.inputs, 'number')}")
        y = np.zeros((len(x), 0)) if untargeted else _targets(t, outputs)
        where = "inputs" if untargeted else "targets"
    if len(x) > limits.samples:
        raise t.error(where, limits.exceeded("samples", count(len(x), "sample")))
    if x.shape[1] != model.inputs:
        raise t.error("inputs" if where == "targets" else where,
                      f"expected samples of {count(model.inputs, 'input')} (network.inputs), got {x.shape[1]}")
    if not untargeted and (y.ndim != 2 or y.shape[1] != outputs):
        raise t.error(where, f"expected targets of {count(outputs, 'value')} per sample (the last layer's units), "
                             f"got {y.shape[1] if y.ndim == 2 else y.shape}")
    if len(x) != len(y):
        raise t.error(where, f"{count(len(x), 'input sample')} but {count(len(y), 'target sample')}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise t.error(where, "the data holds NaN or Inf")
    if problem := model.loss.targets_problem(y):
        raise t.error(where, problem)
    batch = t.integer("batch_size", 1, minimum=1)
    if batch > len(x):
        raise t.error("batch_size", f"expected at most {len(x)} (the number of samples), got {batch}")
    x.flags.writeable = y.flags.writeable = False
    return Dataset(x, y, batch, t.boolean("shuffle", False), seed)


def _targets(t: Table, outputs: int) -> np.ndarray:
    """Inline targets: a row per sample, or one class label (or value) per sample as in files."""
    if "targets" not in t:
        raise t.error("targets", f"missing: the [loss] needs targets, a list of samples, each a list of "
                                 f"{count(outputs, 'number')}")
    raw = t.raw("targets")
    if isinstance(raw, list) and raw and not isinstance(raw[0], list):
        return datafile.labels_to_one_hot(t, "targets", array(t, "targets", raw, 1, "a list of numbers"), outputs)
    return array(t, "targets", raw, 2, f"a list of samples, each a list of {count(outputs, 'number')}")


def _inputs_only(t: Table, model: Model, seed: int, limits: Limits) -> Dataset:
    """The data of a scenario without a loss: inline inputs, no targets."""
    for key in ("targets", "file"):
        if key in t:
            raise t.error(key, "a scenario without [loss] stops after the forward pass and takes inline "
                               "inputs only: add a [loss] to use targets, or leave them out")
    x = array(t, "inputs", t.raw("inputs"), 2, f"a list of samples, each a list of {count(model.inputs, 'number')}")
    if len(x) > limits.samples:
        raise t.error("inputs", limits.exceeded("samples", count(len(x), "sample")))
    if x.shape[1] != model.inputs:
        raise t.error("inputs", f"expected samples of {count(model.inputs, 'input')} (network.inputs), "
                                f"got {x.shape[1]}")
    batch = t.integer("batch_size", 1, minimum=1)
    if batch > len(x):
        raise t.error("batch_size", f"expected at most {len(x)} (the number of samples), got {batch}")
    y = np.empty((len(x), 0))
    x.flags.writeable = y.flags.writeable = False
    return Dataset(x, y, batch, t.boolean("shuffle", False), seed)


# --- [notation] -------------------------------------------------------------------------

def _rounding(notation: Table) -> Rounding | None:
    """`rounding = "stated"`, `{ decimals = 4 }` or `{ significant = 3 }`; None if not given."""
    raw = notation.raw("rounding", None)
    if raw is None:
        return None
    expected = "\"stated\", { decimals = N } or { significant = N }"
    if raw == "stated":
        return Rounding("stated")
    if not isinstance(raw, dict) or len(raw) != 1:
        raise notation.error("rounding", f"expected {expected}, got {describe(raw)}")
    t = notation.table_("rounding", ("decimals", "significant"))
    kind = next(iter(raw))
    return Rounding(kind, t.integer(kind, minimum=0 if kind == "decimals" else 1))


def _names_changes(top: Table, notation: Table) -> bool:
    """Whether the file names a parameter's change, update_W1 or update_b2: the update phase then
    writes it as an op of its own."""
    expects = top.raw("expect", [])
    written = [e.get("name") for e in expects if isinstance(e, dict)] if isinstance(expects, list) else []
    names = notation.raw("names", {})
    written += list(names.values()) if isinstance(names, dict) else []
    return any(isinstance(w, str) and w.lstrip("-− ").startswith("update_") for w in written)


def _names(notation: Table, program: Program) -> Glossary:
    """`[notation.names]`: each of the source's names and the quantity or element it stands for."""
    raw = notation.get("names", lambda v: isinstance(v, dict),
                       "a table [notation.names] of the source's names, such as w5 = \"W2[0,0]\"", {})
    t = Table(notation.path, notation.field("names"), raw, raw)
    known = {str(name): name for name in program.quantities}
    aliases = {}
    for written in raw:
        if not (NAME.fullmatch(written) and printable(written)):
            raise t.error(written, "a name has no spaces, brackets, |, <, >, =, commas, control or invisible "
                                   "characters, and starts with neither a digit nor a minus")
        target = t.string(written)
        try:
            negated, quantity, index = parse_target(target)
        except ValueError as e:
            raise t.error(written, str(e)) from None
        if quantity not in known:
            raise t.error(written, f"no quantity named {quantity!r}{did_you_mean(quantity, known)}; "
                                   f"this scenario has {', '.join(known)}")
        name = known[quantity]
        if index is not None:
            shape = program.shape(name, len(program.data.rows(1)))
            if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
                raise t.error(written, f"{target.strip()} is not an element of {name}, whose shape is "
                                       f"{'×'.join(map(str, shape)) or 'a scalar'} (indices are stepnet's "
                                       "own, W being units × fan_in, whatever the layout)")
        aliases[written] = Alias(name, index, negated)
    return Glossary(aliases)


def _expectations(top: Table, program: Program, names: Glossary,
                  layout: Layout) -> list[Expectation]:
    known = {str(name): name for name in program.quantities}
    result = []
    for t in top.tables("expect", ("name", "iteration", "index", "value", "tolerance"), required=False):
        written = t.string("name")
        alias = names.resolve(written, program.quantities)
        if alias is None:
            choices = [*names.aliases, *known]
            raise t.error("name", f"no quantity named {written!r}{did_you_mean(written, choices)}; "
                                  f"this scenario has {', '.join(known)}"
                                  + (f", and the source's names {', '.join(names.aliases)}" if names else ""))
        name = alias.name
        iteration = t.integer("iteration", 1, minimum=1)
        if iteration > MAX_EXPECT_ITERATION:
            raise t.error("iteration", f"expected at most {MAX_EXPECT_ITERATION:,} iterations, got {iteration:,}")
        shape = program.shape(name, len(program.data.rows(iteration)))
        want: tuple[int, ...]
        index = t.get("index", lambda v: isinstance(v, list) and all(isinstance(i, int) and not isinstance(i, bool)
                                                                     for i in v),
                      "a list of whole numbers such as [0, 1]", None)
        if alias.index is not None:
            if index is not None:
                raise t.error("index", f"{written} is one element already ({alias}): leave index out")
            index = list(alias.index)
            if any(not 0 <= i < n for i, n in zip(index, shape)):
                raise t.error("name", f"{written} is {alias}, not an element of {name} in iteration {iteration}, "
                                      f"whose shape is {'×'.join(map(str, shape))}")
        if index is not None:
            if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
                raise t.error("index", f"{index} is not an element of {name}, whose shape is "
                                       f"{'×'.join(map(str, shape)) or 'a scalar'}")
            index, want = tuple(index), ()
        else:
            want = shape
        value = t.raw("value")
        if is_number(value):
            value = array(t, "value", [value], 1, "a number").reshape(())
        else:
            depth = _depth(value)
            if depth > 3:
                raise t.error("value", "expected a number or a list of numbers, got lists nested more than 3 deep")
            value = array(t, "value", value, depth, "a number or a list of numbers")
        # the source prints every W-shaped matrix (W, grad_W, update_W, …) fan_in × units
        flip = layout == "in_out" and name.base.kind == "W" and not index
        value = value.T if flip and value.ndim == 2 else value
        # a flat list stands for a one-sample batch's only row, a number for a one-element quantity
        if value.shape != want and not (len(want) == 2 and want[0] == 1 and value.shape == want[1:]) \
                and not (value.shape == () and int(np.prod(want)) == 1):
            flat = f" (or {_shape_text(want[1:])})" if len(want) == 2 and want[0] == 1 else ""
            shown = (want[::-1], value.shape[::-1]) if flip else (want, value.shape)
            raise t.error("value", f"expected {_shape_text(shown[0])}{flat} for {name}{list(index) if index else ''}"
                                   + (f" ({WEIGHTS['in_out'].split(':')[0]}, the layout)" if flip else "")
                                   + f", got {_shape_text(shown[1])}")
        tolerance = t.number("tolerance", 1e-6, positive=True)
        result.append(Expectation(name, iteration, index, value.reshape(want), tolerance, t.where,
                                  written, alias.negated))
    return result


def _dims(shape: tuple[int, ...]) -> str:
    """A shape as a message gives it: `2×3`, `a list of 3 numbers`, `a number`."""
    return "×".join(map(str, shape)) if len(shape) > 1 else _shape_text(shape)


def _shape_text(shape: tuple[int, ...]) -> str:
    """A value's shape as a message names it: `a number`, `a list of 3 numbers`, `a 2×3 array`."""
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"a list of {count(shape[0], 'number')}"
    return f"a {'×'.join(map(str, shape))} array"


def _depth(value: object) -> int:
    """How deep lists nest along their first items: what a rectangular value's ndim would be."""
    depth = 0
    while isinstance(value, list) and depth <= 3:
        depth += 1
        value = value[0] if value else None
    return depth
