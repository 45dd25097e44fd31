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

PHASES = ("forward", "loss", "backward", "update")


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


# --- explainers -------------------------------------------------------------------


def _products(xs: Array, ys: Array, fmt: Fmt) -> str:
    return sum_of([f"{signed(x, fmt)}×{signed(y, fmt)}" for x, y in zip(xs, ys)])


def _values(xs: Array, fmt: Fmt) -> str:
    return sum_of([signed(x, fmt) for x in xs])


def build_program(model: Model, data: Dataset) -> Program:
    L = model.depth
    opt = model.optimizer
    mean = model.reduction == "mean"
    B = "B" if mean else "1"
    ops: list[Op] = [
        BatchOp(
            "batch", "forward", 0, "a0", (), "a0 = x[batch], y = targets[batch]",
            compute=lambda: None,
            explainer=lambda v, i, f: [f"x[sample {i[0]} of the batch, {i[1]}]"],
            data=data, persistent=frozenset(model.state_names()),
        )
    ]

    # forward: z = a_prev·Wᵀ + b, a = f(z)
    for l, layer in enumerate(model.layers, start=1):
        act = layer.activation
        reads = (f"a{l-1}", f"W{l}") + ((f"b{l}",) if layer.bias else ())
        bias_sym = f" + b{l}" if layer.bias else ""

        def explain_z(v, i, f, l=l, bias=layer.bias):
            s, u = i
            a, W = v[f"a{l-1}"][s], v[f"W{l}"][u]
            sym = f"Σⱼ a{l-1}[{s},j]·W{l}[{u},j]" + (f" + b{l}[{u}]" if bias else "")
            num = _products(a, W, f) + (f" + {signed(v[f'b{l}'][u], f)}" if bias else "")
            return [sym, num]

        ops.append(Op("weighted_sum", "forward", l, f"z{l}", reads,
                      f"z{l} = a{l-1}·W{l}ᵀ{bias_sym}", compute=bp.weighted_sum, explainer=explain_z))

        def explain_a(v, i, f, l=l, act=act):
            s, u = i
            z = v[f"z{l}"][s]
            if act.elementwise:
                return [f"{act.symbol}(z{l}[{s},{u}])", f"{act.symbol}({f(z[u])})"]
            exps = sum_of([f"exp({f(x)})" for x in z])
            return [f"exp(z{l}[{s},{u}]) / Σⱼ exp(z{l}[{s},j])", f"exp({f(z[u])}) / ({exps})"]

        if not layer.dropout:
            ops.append(Op("activation", "forward", l, f"a{l}", (f"z{l}",),
                          f"a{l} = {act.symbol}(z{l})", compute=act.f, explainer=explain_a))
            continue

        # dropout: the mask is an op of its own, then a = f(z) ⊙ m
        p = layer.dropout

        def explain_m(v, i, f, p=p):
            return [f"{element('keep', i)}/(1 − {p:g})"]  # keep is 1 or 0: the value shows which

        ops.append(MaskOp("dropout_mask", "forward", l, f"m{l}", ("a0",),
                          f"m{l} = keep/(1 − p), keep ~ Bernoulli(1 − p)   (p = {p:g}, inverted dropout)",
                          compute=lambda: None, explainer=explain_m,
                          draw=lambda iteration, batch, l=l: model.dropout_mask(l, iteration, batch)))

        def explain_dropped(v, i, f, l=l, act=act):
            s, u = i
            return [f"{act.symbol}(z{l}[{s},{u}]) × m{l}[{s},{u}]",
                    f"{act.symbol}({f(v[f'z{l}'][i])}) × {f(v[f'm{l}'][i])}"]

        ops.append(Op("activation", "forward", l, f"a{l}", (f"z{l}", f"m{l}"),
                      f"a{l} = {act.symbol}(z{l}) ⊙ m{l}", compute=lambda z, m, act=act: bp.dropout(act.f(z), m),
                      explainer=explain_dropped))

    # loss: J, then ∂J/∂a^L (unless softmax + cross-entropy fuse it into δ^L)
    loss = model.loss
    red = "(1/B)·Σₛ " if mean else "Σₛ "

    def explain_loss(v, i, f):
        p, y = v[f"a{L}"], v["y"]
        terms = [loss.term_template.format(p=f(p[s, j]), y=f(y[s, j]))
                 for s in range(len(p)) for j in range(p.shape[1])]
        scale = f"(1/{len(p)})·" if mean and len(p) > 1 else ""
        return [f"{red}{loss.prefix}Σⱼ {loss.term_template.format(p=f'a{L}[s,j]', y='y[s,j]')}",
                f"{scale}{loss.prefix}[{sum_of(terms)}]"]

    ops.append(Op("loss", "loss", None, "loss", (f"a{L}", "y"),
                  f"loss = {red}ℓ(a{L}ₛ, yₛ),  ℓ(p, y) = {loss.formula}",
                  compute=lambda p, y: np.float64(reduce(loss.per_sample(p, y), model.reduction)),
                  explainer=explain_loss))

    def divided(text: str, v: Values) -> str:
        return f"({text})/{len(v['y']):g}" if mean else text

    if not model.fused_softmax_cross_entropy:
        def explain_grad_out(v, i, f):
            s, j = i
            p, y, n = v[f"a{L}"][s, j], v["y"][s, j], v["y"].shape[1]
            sym = loss.grad_template.format(p=f"a{L}[{s},{j}]", y=f"y[{s},{j}]", n=n)
            num = loss.grad_template.format(p=f(p), y=f(y), n=n)
            return [f"({sym})/{B}" if mean else sym, divided(num, v)]

        sym = loss.grad_template.format(p=f"a{L}", y="y", n="n")
        ops.append(Op("loss_grad", "loss", L, f"grad_a{L}", (f"a{L}", "y"),
                      f"grad_a{L} = ∂ℓ/∂a{L}" + (f" / B = ({sym})/B" if mean else f" = {sym}"),
                      compute=lambda p, y: bp.output_gradient(loss, model.reduction, p, y),
                      explainer=explain_grad_out))

    # backward, output side first
    for l in range(L, 0, -1):
        layer = model.layers[l - 1]
        act = layer.activation
        if l == L and model.fused_softmax_cross_entropy:
            def explain_fused(v, i, f):
                s, j = i
                num = f"{f(v[f'a{L}'][s, j])} − {signed(v['y'][s, j], f)}"
                return [f"(a{L}[{s},{j}] − y[{s},{j}])/{B}" if mean else f"a{L}[{s},{j}] − y[{s},{j}]",
                        divided(num, v)]

            ops.append(Op("delta", "backward", l, f"delta{l}", (f"a{l}", "y"),
                          f"delta{l} = (a{l} − y)/{B}   (softmax + cross-entropy, fused: "
                          f"the Jacobian and −y/p cancel)",
                          compute=lambda p, y: bp.fused_delta(model.reduction, p, y),
                          explainer=explain_fused))
        else:
            def explain_dact(v, i, f, l=l, act=act):
                if not act.elementwise:
                    s, r, c = i
                    a = v[f"a{l}"][s]
                    kron = "1" if r == c else "0"
                    return [f"a{l}[{s},{r}]·(δ{r}{c} − a{l}[{s},{c}])", f"{f(a[r])}·({kron} − {signed(a[c], f)})"]
                z, a = element(f"z{l}", i), element(f"a{l}", i)
                return [act.derivative_text(z=z, a=a),
                        act.derivative_text(z=f(v[f"z{l}"][i]), a=f(v[f"a{l}"][i]))]

            if layer.dropout:
                def explain_dact_dropped(v, i, f, l=l, act=act):
                    z = v[f"z{l}"][i]
                    df = act.derivative_text(z=f(z), a=f(act.f(np.asarray(z))))
                    return [f"{act.symbol}′({element(f'z{l}', i)}) × {element(f'm{l}', i)}",
                            f"{df} × {f(v[f'm{l}'][i])}"]

                ops.append(Op("dact", "backward", l, f"dact{l}", (f"z{l}", f"m{l}"),
                              f"dact{l} = ∂a{l}/∂z{l} = {act.symbol}′(z{l}) ⊙ m{l}   (dropped units pass no gradient)",
                              compute=lambda z, m, act=act: bp.dropout(act.df(z, act.f(z)), m),
                              explainer=explain_dact_dropped))
            else:
                df_sym = act.derivative_text(z=f"z{l}", a=f"a{l}")
                ops.append(Op("dact", "backward", l, f"dact{l}", (f"z{l}", f"a{l}"),
                              f"dact{l} = {act.symbol}′(z{l}) = {df_sym}" if act.elementwise else
                              f"dact{l} = ∂a{l}/∂z{l} = a{l}ᵢ·(δᵢⱼ − a{l}ⱼ)   (the softmax Jacobian)",
                              compute=act.df, explainer=explain_dact))

            def explain_delta(v, i, f, l=l, act=act):
                s, u = i
                if act.elementwise:
                    return [f"grad_a{l}[{s},{u}] × {act.symbol}′(z{l}[{s},{u}])",
                            f"{signed(v[f'grad_a{l}'][i], f)} × {signed(v[f'dact{l}'][i], f)}"]
                return [f"Σⱼ grad_a{l}[{s},j]·dact{l}[{s},{u},j]",
                        _products(v[f"grad_a{l}"][s], v[f"dact{l}"][s, u], f)]

            ops.append(Op("delta", "backward", l, f"delta{l}", (f"grad_a{l}", f"dact{l}"),
                          f"delta{l} = grad_a{l} ⊙ {act.symbol}′(z{l})" if act.elementwise else
                          f"delta{l} = dact{l}·grad_a{l}",
                          compute=lambda g, d, act=act: bp.delta(g, d, act), explainer=explain_delta))

        def explain_gW(v, i, f, l=l):
            r, c = i
            return [f"Σₛ delta{l}[s,{r}]·a{l-1}[s,{c}]",
                    _products(v[f"delta{l}"][:, r], v[f"a{l-1}"][:, c], f)]

        ops.append(Op("grad_W", "backward", l, f"grad_W{l}", (f"delta{l}", f"a{l-1}"),
                      f"grad_W{l} = delta{l}ᵀ·a{l-1}", compute=bp.grad_weights, explainer=explain_gW))
        if layer.bias:
            def explain_gb(v, i, f, l=l):
                return [f"Σₛ delta{l}[s,{i[0]}]", _values(v[f"delta{l}"][:, i[0]], f)]

            ops.append(Op("grad_b", "backward", l, f"grad_b{l}", (f"delta{l}",),
                          f"grad_b{l} = Σₛ delta{l}", compute=bp.grad_bias, explainer=explain_gb))
        if l > 1:
            def explain_ga(v, i, f, l=l):
                s, c = i
                return [f"Σᵢ delta{l}[{s},i]·W{l}[i,{c}]",
                        _products(v[f"delta{l}"][s], v[f"W{l}"][:, c], f)]

            ops.append(Op("grad_a", "backward", l, f"grad_a{l-1}", (f"delta{l}", f"W{l}"),
                          f"grad_a{l-1} = delta{l}·W{l}", compute=bp.grad_previous, explainer=explain_ga))

    # update, input side first
    lr, mu = opt.learning_rate, opt.momentum
    for name in model.trained_parameters():
        l = int(name[1:])
        grad = f"grad_{name}"
        if opt.kind == "momentum":
            v = f"v_{name}"

            def explain_v(vals, i, f, v=v, grad=grad):
                return [f"μ·{element(v, i)} − η·{element(grad, i)}",
                        f"{f(mu)} × {signed(vals[v][i], f)} − {f(lr)} × {signed(vals[grad][i], f)}"]

            ops.append(Op("velocity", "update", l, v, (v, grad), f"{v} = μ·{v} − η·{grad}   (μ = {mu:g}, η = {lr:g})",
                          compute=lambda vel, g: bp.velocity(vel, g, lr, mu), explainer=explain_v))

            def explain_apply(vals, i, f, v=v, name=name):
                return [f"{element(name, i)} + {element(v, i)}",
                        f"{f(vals[name][i])} + {signed(vals[v][i], f)}"]

            ops.append(Op("update", "update", l, name, (name, v), f"{name} = {name} + {v}",
                          compute=bp.apply_velocity, explainer=explain_apply))
        else:
            def explain_sgd(vals, i, f, name=name, grad=grad):
                return [f"{element(name, i)} − η·{element(grad, i)}",
                        f"{f(vals[name][i])} − {f(lr)} × {signed(vals[grad][i], f)}"]

            ops.append(Op("update", "update", l, name, (name, grad), f"{name} = {name} − η·{grad}   (η = {lr:g})",
                          compute=lambda p, g: bp.sgd(p, g, lr), explainer=explain_sgd))
    return Program(model, data, tuple(ops))


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
