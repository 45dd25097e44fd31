"""One training iteration as an ordered list of operations.

Each `Op` computes one quantity from quantities already in the state: the batch, each
layer's weighted sum and activation, the loss and ∂J/∂a^L, each backward chain-rule
term of each layer (output side first), each parameter update. An op knows its formula
in symbols and can write one element out with the numbers substituted, as worked
examples do:  delta2[0,0] = grad_a2[0,0] × dact2[0,0] = 0.74136507 × 0.186815602 = …
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from stepnet.engine import backprop as bp
from stepnet.engine.losses import reduce
from stepnet.engine.model import Dataset, Model
from stepnet.engine.notation import Fmt, element, signed, sum_of

Array = np.ndarray
Values = Mapping[str, Array]
#: (values before the op, element index, number format) -> the right-hand sides, symbols first
Explainer = Callable[[Values, tuple[int, ...], Fmt], list[str]]

@dataclass(frozen=True, eq=False)
class Op:
    kind: str
    phase: str
    layer: int | None
    output: str
    reads: tuple[str, ...]
    formula: str
    compute: Callable[..., Array] = field(repr=False)
    explainer: Explainer = field(repr=False)

    def run(self, values: dict[str, Array], iteration: int) -> None:
        # NaN/Inf are flagged by the debugger where they first appear, not warned about
        with np.errstate(all="ignore"):
            values[self.output] = self.compute(*(values[name] for name in self.reads))

    def explain(self, before: Values, result: Array, index: Sequence[int], fmt: Fmt) -> str:
        """One element of the result written out: `out[i,j] = symbols = numbers = value`."""
        index = tuple(index)
        parts = [element(self.output, index), *self.explainer(before, index, fmt)]
        value = fmt(np.asarray(result)[index]) if index else fmt(float(result))
        if parts[-1] != value:
            parts.append(value)
        return " = ".join(parts)


@dataclass(frozen=True, eq=False)
class BatchOp(Op):
    """a0 and y for the iteration's batch; clears last iteration's quantities."""

    data: Dataset | None = field(default=None, repr=False)
    persistent: frozenset[str] = frozenset()

    def run(self, values: dict[str, Array], iteration: int) -> None:
        for name in [n for n in values if n not in self.persistent]:
            del values[name]
        values["a0"], values["y"] = self.data.batch(iteration)


@dataclass(frozen=True, eq=False)
class MaskOp(Op):
    """The iteration's dropout mask of a layer; `draw(iteration, batch)` makes it."""

    draw: Callable[[int, int], Array] | None = field(default=None, repr=False)

    def run(self, values: dict[str, Array], iteration: int) -> None:
        values[self.output] = self.draw(iteration, len(values["a0"]))


@dataclass(frozen=True)
class Program:
    model: Model
    data: Dataset
    ops: tuple[Op, ...]

    def __len__(self) -> int:
        return len(self.ops)

    def quantities(self) -> list[str]:
        """Every name a state can hold, in the order the iteration produces them."""
        names = ["a0", "y"] + [op.output for op in self.ops[1:]]
        names += [n for n in self.model.state_names() if n not in names]
        return list(dict.fromkeys(names))


# --- building the list ------------------------------------------------------------


def build_program(model: Model, data: Dataset) -> Program:
    """The ops of one iteration: batch, forward by layer, loss, backward from the output
    side, updates from the input side."""
    ops = [_batch(model, data)]
    for l in range(1, model.depth + 1):
        ops += _forward(model, l)
    ops += _loss(model)
    for l in range(model.depth, 0, -1):
        ops += _backward(model, l)
    ops += _updates(model)
    return Program(model, data, tuple(ops))


def _products(xs: Array, ys: Array, fmt: Fmt) -> str:
    return sum_of([f"{signed(x, fmt)}×{signed(y, fmt)}" for x, y in zip(xs, ys)])


def _values(xs: Array, fmt: Fmt) -> str:
    return sum_of([signed(x, fmt) for x in xs])


def _batch(model: Model, data: Dataset) -> Op:
    return BatchOp(
        "batch", "forward", 0, "a0", (), "a0 = x[batch], y = targets[batch]",
        compute=lambda: None,
        explainer=lambda v, i, f: [f"x[sample {i[0]} of the batch, {i[1]}]"],
        data=data, persistent=frozenset(model.state_names()),
    )


def _forward(model: Model, l: int) -> list[Op]:
    """z = a_prev·Wᵀ + b, then a = f(z) — or, with dropout, the mask m and a = f(z) ⊙ m."""
    layer = model.layers[l - 1]
    act = layer.activation
    bias = layer.bias

    def explain_z(v, i, f):
        s, u = i
        sym = f"Σⱼ a{l-1}[{s},j]·W{l}[{u},j]" + (f" + b{l}[{u}]" if bias else "")
        num = _products(v[f"a{l-1}"][s], v[f"W{l}"][u], f) + (f" + {signed(v[f'b{l}'][u], f)}" if bias else "")
        return [sym, num]

    ops = [Op("weighted_sum", "forward", l, f"z{l}", (f"a{l-1}", f"W{l}") + ((f"b{l}",) if bias else ()),
              f"z{l} = a{l-1}·W{l}ᵀ" + (f" + b{l}" if bias else ""), compute=bp.weighted_sum, explainer=explain_z)]

    if not layer.dropout:
        def explain_a(v, i, f):
            s, u = i
            z = v[f"z{l}"][s]
            if act.elementwise:
                return [f"{act.symbol}(z{l}[{s},{u}])", f"{act.symbol}({f(z[u])})"]
            exps = sum_of([f"exp({f(x)})" for x in z])
            return [f"exp(z{l}[{s},{u}]) / Σⱼ exp(z{l}[{s},j])", f"exp({f(z[u])}) / ({exps})"]

        return ops + [Op("activation", "forward", l, f"a{l}", (f"z{l}",), f"a{l} = {act.symbol}(z{l})",
                         compute=act.f, explainer=explain_a)]

    p = layer.dropout

    def explain_a_dropped(v, i, f):
        return [f"{act.symbol}({element(f'z{l}', i)}) × {element(f'm{l}', i)}",
                f"{act.symbol}({f(v[f'z{l}'][i])}) × {f(v[f'm{l}'][i])}"]

    return ops + [
        MaskOp("dropout_mask", "forward", l, f"m{l}", ("a0",),
               f"m{l} = keep/(1 − p), keep ~ Bernoulli(1 − p)   (p = {p:g}, inverted dropout)",
               compute=lambda: None,
               explainer=lambda v, i, f: [f"{element('keep', i)}/(1 − {p:g})"],  # the value shows keep
               draw=lambda iteration, batch: model.dropout_mask(l, iteration, batch)),
        Op("activation", "forward", l, f"a{l}", (f"z{l}", f"m{l}"), f"a{l} = {act.symbol}(z{l}) ⊙ m{l}",
           compute=lambda z, m: bp.dropout(act.f(z), m), explainer=explain_a_dropped),
    ]


def _loss(model: Model) -> list[Op]:
    """J, then ∂J/∂a^L — unless softmax with cross-entropy fuses it into δ^L."""
    L, loss, mean = model.depth, model.loss, model.reduction == "mean"
    red = "(1/B)·Σₛ " if mean else "Σₛ "

    def explain_loss(v, i, f):
        p, y = v[f"a{L}"], v["y"]
        terms = [loss.term_template.format(p=f(p[s, j]), y=f(y[s, j]))
                 for s in range(len(p)) for j in range(p.shape[1])]
        scale = f"(1/{len(p)})·" if mean and len(p) > 1 else ""
        return [f"{red}{loss.prefix}Σⱼ {loss.term_template.format(p=f'a{L}[s,j]', y='y[s,j]')}",
                f"{scale}{loss.prefix}[{sum_of(terms)}]"]

    ops = [Op("loss", "loss", None, "loss", (f"a{L}", "y"),
              f"loss = {red}ℓ(a{L}ₛ, yₛ),  ℓ(p, y) = {loss.formula}",
              compute=lambda p, y: np.float64(reduce(loss.per_sample(p, y), model.reduction)),
              explainer=explain_loss)]
    if model.fused_softmax_cross_entropy:
        return ops

    def explain_grad(v, i, f):
        s, j = i
        n = v["y"].shape[1]
        sym = loss.grad_template.format(p=f"a{L}[{s},{j}]", y=f"y[{s},{j}]", n=n)
        num = loss.grad_template.format(p=f(v[f"a{L}"][s, j]), y=f(v["y"][s, j]), n=n)
        return [f"({sym})/B", f"({num})/{len(v['y'])}"] if mean else [sym, num]

    sym = loss.grad_template.format(p=f"a{L}", y="y", n="n")
    return ops + [Op("loss_grad", "loss", L, f"grad_a{L}", (f"a{L}", "y"),
                     f"grad_a{L} = ∂ℓ/∂a{L}" + (f" / B = ({sym})/B" if mean else f" = {sym}"),
                     compute=lambda p, y: bp.output_gradient(loss, model.reduction, p, y),
                     explainer=explain_grad)]


def _backward(model: Model, l: int) -> list[Op]:
    """Layer l's chain-rule terms: f′(z), δ, ∂J/∂W, ∂J/∂b, and ∂J/∂a of the layer below."""
    layer = model.layers[l - 1]
    if l == model.depth and model.fused_softmax_cross_entropy:
        ops = [_fused_delta(model)]
    else:
        ops = [_dact(model, l), _delta(model, l)]

    def explain_gW(v, i, f):
        r, c = i
        return [f"Σₛ delta{l}[s,{r}]·a{l-1}[s,{c}]", _products(v[f"delta{l}"][:, r], v[f"a{l-1}"][:, c], f)]

    ops.append(Op("grad_W", "backward", l, f"grad_W{l}", (f"delta{l}", f"a{l-1}"),
                  f"grad_W{l} = delta{l}ᵀ·a{l-1}", compute=bp.grad_weights, explainer=explain_gW))
    if layer.bias:
        ops.append(Op("grad_b", "backward", l, f"grad_b{l}", (f"delta{l}",), f"grad_b{l} = Σₛ delta{l}",
                      compute=bp.grad_bias,
                      explainer=lambda v, i, f: [f"Σₛ delta{l}[s,{i[0]}]", _values(v[f"delta{l}"][:, i[0]], f)]))
    if l > 1:
        def explain_ga(v, i, f):
            s, c = i
            return [f"Σᵢ delta{l}[{s},i]·W{l}[i,{c}]", _products(v[f"delta{l}"][s], v[f"W{l}"][:, c], f)]

        ops.append(Op("grad_a", "backward", l, f"grad_a{l-1}", (f"delta{l}", f"W{l}"),
                      f"grad_a{l-1} = delta{l}·W{l}", compute=bp.grad_previous, explainer=explain_ga))
    return ops


def _fused_delta(model: Model) -> Op:
    L, mean = model.depth, model.reduction == "mean"

    def explain(v, i, f):
        s, j = i
        num = f"{f(v[f'a{L}'][s, j])} − {signed(v['y'][s, j], f)}"
        if not mean:
            return [f"a{L}[{s},{j}] − y[{s},{j}]", num]
        return [f"(a{L}[{s},{j}] − y[{s},{j}])/B", f"({num})/{len(v['y'])}"]

    return Op("delta", "backward", L, f"delta{L}", (f"a{L}", "y"),
              f"delta{L} = {f'(a{L} − y)/B' if mean else f'a{L} − y'}   "
              "(softmax + cross-entropy, fused: the Jacobian and −y/p cancel)",
              compute=lambda p, y: bp.fused_delta(model.reduction, p, y), explainer=explain)


def _dact(model: Model, l: int) -> Op:
    """f′(z) elementwise; the Jacobian for softmax; f′(z) ⊙ m with dropout."""
    layer = model.layers[l - 1]
    act = layer.activation
    if layer.dropout:
        def explain_dropped(v, i, f):
            z = v[f"z{l}"][i]
            df = act.derivative_text(z=f(z), a=f(act.f(np.asarray(z))))
            return [f"{act.symbol}′({element(f'z{l}', i)}) × {element(f'm{l}', i)}", f"{df} × {f(v[f'm{l}'][i])}"]

        return Op("dact", "backward", l, f"dact{l}", (f"z{l}", f"m{l}"),
                  f"dact{l} = ∂a{l}/∂z{l} = {act.symbol}′(z{l}) ⊙ m{l}   (dropped units pass no gradient)",
                  compute=lambda z, m: bp.dropout(act.df(z, act.f(z)), m), explainer=explain_dropped)
    if not act.elementwise:
        def explain_jacobian(v, i, f):
            s, r, c = i
            a = v[f"a{l}"][s]
            return [f"a{l}[{s},{r}]·(δ{r}{c} − a{l}[{s},{c}])",
                    f"{f(a[r])}·({'1' if r == c else '0'} − {signed(a[c], f)})"]

        return Op("dact", "backward", l, f"dact{l}", (f"z{l}", f"a{l}"),
                  f"dact{l} = ∂a{l}/∂z{l} = a{l}ᵢ·(δᵢⱼ − a{l}ⱼ)   (the softmax Jacobian)",
                  compute=act.df, explainer=explain_jacobian)

    def explain(v, i, f):
        return [act.derivative_text(z=element(f"z{l}", i), a=element(f"a{l}", i)),
                act.derivative_text(z=f(v[f"z{l}"][i]), a=f(v[f"a{l}"][i]))]

    return Op("dact", "backward", l, f"dact{l}", (f"z{l}", f"a{l}"),
              f"dact{l} = {act.symbol}′(z{l}) = {act.derivative_text(z=f'z{l}', a=f'a{l}')}",
              compute=act.df, explainer=explain)


def _delta(model: Model, l: int) -> Op:
    """δ = ∂J/∂a ⊙ f′(z), or through the softmax Jacobian."""
    layer = model.layers[l - 1]
    act = layer.activation
    # with dropout, dact holds the mask too, so the formula names it instead of f′
    factor = f"dact{l}" if layer.dropout else f"{act.symbol}′(z{l})"

    def factor_at(i: tuple[int, ...]) -> str:
        return element(f"dact{l}", i) if layer.dropout else f"{act.symbol}′({element(f'z{l}', i)})"

    def explain(v, i, f):
        s, u = i
        if act.elementwise:
            return [f"{element(f'grad_a{l}', i)} × {factor_at(i)}",
                    f"{signed(v[f'grad_a{l}'][i], f)} × {signed(v[f'dact{l}'][i], f)}"]
        return [f"Σⱼ grad_a{l}[{s},j]·dact{l}[{s},{u},j]", _products(v[f"grad_a{l}"][s], v[f"dact{l}"][s, u], f)]

    return Op("delta", "backward", l, f"delta{l}", (f"grad_a{l}", f"dact{l}"),
              f"delta{l} = grad_a{l} ⊙ {factor}" if act.elementwise else f"delta{l} = dact{l}·grad_a{l}",
              compute=lambda g, d: bp.delta(g, d, act), explainer=explain)


def _updates(model: Model) -> list[Op]:
    """θ ← θ − η·∂J/∂θ for each trained parameter, input side first (two ops with momentum)."""
    opt = model.optimizer
    lr, mu = opt.learning_rate, opt.momentum
    ops = []
    for name in model.trained_parameters():
        ops += _momentum(name, lr, mu) if opt.kind == "momentum" else [_sgd(name, lr)]
    return ops


def _sgd(name: str, lr: float) -> Op:
    grad = f"grad_{name}"

    def explain(v, i, f):
        return [f"{element(name, i)} − η·{element(grad, i)}", f"{f(v[name][i])} − {f(lr)} × {signed(v[grad][i], f)}"]

    return Op("update", "update", int(name[1:]), name, (name, grad), f"{name} = {name} − η·{grad}   (η = {lr:g})",
              compute=lambda p, g: bp.sgd(p, g, lr), explainer=explain)


def _momentum(name: str, lr: float, mu: float) -> list[Op]:
    grad, vel, l = f"grad_{name}", f"v_{name}", int(name[1:])

    def explain_v(v, i, f):
        return [f"μ·{element(vel, i)} − η·{element(grad, i)}",
                f"{f(mu)} × {signed(v[vel][i], f)} − {f(lr)} × {signed(v[grad][i], f)}"]

    def explain_apply(v, i, f):
        return [f"{element(name, i)} + {element(vel, i)}", f"{f(v[name][i])} + {signed(v[vel][i], f)}"]

    return [
        Op("velocity", "update", l, vel, (vel, grad), f"{vel} = μ·{vel} − η·{grad}   (μ = {mu:g}, η = {lr:g})",
           compute=lambda v, g: bp.velocity(v, g, lr, mu), explainer=explain_v),
        Op("update", "update", l, name, (name, vel), f"{name} = {name} + {vel}",
           compute=bp.apply_velocity, explainer=explain_apply),
    ]


def quantity_shape(model: Model, name: str, batch: int) -> tuple[int, ...]:
    """The shape `name` has in a state where the batch has `batch` samples."""
    if name == "loss":
        return ()
    if name == "y":
        return (batch, model.layers[-1].units)
    prefix = name.rstrip("0123456789")
    l = int(name[len(prefix):])
    units = model.inputs if l == 0 else model.layers[l - 1].units
    fan_in = model.inputs if l <= 1 else model.layers[l - 2].units
    if prefix in ("W", "grad_W", "v_W"):
        return (units, fan_in)
    if prefix in ("b", "grad_b", "v_b"):
        return (units,)
    if prefix == "dact" and not model.layers[l - 1].activation.elementwise:
        return (batch, units, units)
    return (batch, units)
