"""The operations of a layered network: the batch, each layer's weighted sum and activation,
the loss and ∂J/∂a^L, and each layer's chain-rule terms — each with its NumPy line, its
formula in symbols and in LaTeX, how one element is written out, and its code (the NumPy
line as a notebook runs it, over the quantities' names).

The four equations of backpropagation, as the ops below compute them (B samples a row each):

    δ^L = ∂J/∂a^L ⊙ f′(z^L)            delta, from loss_grad and dact
    δ^l = (δ^(l+1)·W^(l+1)) ⊙ f′(z^l)   grad_a of the layer above, then delta
    ∂J/∂b^l = Σₛ δ^l                    grad_b
    ∂J/∂W^l = δ^lᵀ·a^(l−1)              grad_W
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from stepnet.engine.formula import Constant, Expression, Terms, Values, grouped, legend
from stepnet.engine.losses import batch_divisor, reduce
from stepnet.engine.model import Dataset, Model
from stepnet.engine.names import LOSS, PENALTY, STEP, TARGETS, Name, grad
from stepnet.engine.notation import Fmt, element, signed, sum_of
from stepnet.engine.op import Op, Shape, StartOp, State, assignment
from stepnet.engine.updates import updates

Array = np.ndarray
A0 = Name("a", 0)
#: terms of a long sum written out before "… (n more terms)"
TERMS = 4


def products(xs: Array, ys: Array, f: Fmt, first: str) -> str:
    """Σ xs·ys written out. In a long sum the terms whose first factor is 0 are left out and
    counted (a 784-pixel image is mostly 0 × w); `first` names that factor."""
    total = len(xs)
    shown = np.arange(total) if total <= TERMS + 1 else np.flatnonzero(xs)
    zeros = total - len(shown)
    terms = [f"{signed(xs[k], f)}×{signed(ys[k], f)}" for k in shown[:TERMS + 1]]
    left_out = f"0 ({zeros} {'term' if zeros == 1 else 'terms'} where {first} = 0)" if zeros else ""
    return " + ".join(filter(None, [sum_of(terms, total=len(shown), limit=TERMS), left_out]))


def weighted_terms(l: int, j: int) -> tuple[Callable[[Array, Array], Array], str]:
    """The terms of unit j's weighted sum in layer l, a^(l−1)[s,i]·W^l[j,i] for each sample s
    and input i (z^l[s,j] is their sum, plus b^l[j]): from a^(l−1) and W^l, and as code."""
    return (lambda a, W: a * W[j]), f"{Name('a', l - 1)} * {Name('W', l)}[{j}]"


@dataclass(frozen=True, eq=False)
class BatchOp(StartOp):
    """a0 and y for the iteration's batch, and t, the iteration's number; clears the last
    iteration's quantities."""

    data: Dataset | None = field(default=None, repr=False)

    def run(self, values: State, iteration: int) -> Array:
        super().run(values, iteration)
        assert self.data is not None
        x, y = self.data.batch(iteration)
        values[A0], values[TARGETS] = x, y  # y may have no columns: no targets
        return x

    @property
    def outputs(self) -> dict[Name, Shape]:
        """a0, t and y — unless there are no targets (no loss, or the output as the loss)."""
        assert self.data is not None
        targets = self.data.targets.shape[1]
        return {**super().outputs, **({TARGETS: (None, targets)} if targets else {})}


def operations(model: Model, data: Dataset) -> list[Op]:
    """The ops of one iteration: batch, forward by layer, loss, backward from the output
    side, updates from the input side. Without a loss the iteration ends after the forward
    pass; without an optimizer, after the backward pass."""
    ops = [batch(model, data, tuple(model.state_names()))]
    for l in range(1, model.depth + 1):
        ops += forward(model, l)
    if model.loss is None:
        return ops
    ops += loss(model)
    for l in range(model.depth, 0, -1):
        ops += backward(model, l)
    if model.optimizer is None:
        return ops
    shapes = {name: model.initial[name].shape for name in model.parameter_names()}
    return ops + updates(model.optimizer, model.trained_parameters(), shapes, model.changes)


def batch(model: Model, data: Dataset, persistent: tuple[Name, ...]) -> Op:
    targets = bool(data.targets.shape[1])
    return BatchOp("batch", "forward", 0, A0, (), "the batch",
                   "a0 = x[batch]" + (", y = targets[batch]" if targets else ""),
                   r"a^{(0)} = x_{\text{batch}}" + (r", \qquad y = \text{targets}_{\text{batch}}" if targets else ""),
                   compute=lambda: None,
                   explainer=lambda v, i, f: [f"x[sample {i[0]} of the batch, {i[1]}]"],
                   shape=(None, model.inputs), code=data.code(A0, TARGETS if targets else None),
                   data=data, persistent=persistent)


# --- forward ------------------------------------------------------------------------


def forward(model: Model, l: int) -> list[Op]:
    """z = a_prev·Wᵀ + b, then a = f(z) — or, with dropout, the mask m and a = f(z) ⊙ m."""
    layer = model.layers[l - 1]
    act, units = layer.activation, layer.units
    a_prev, W, b, z, a, m = Name("a", l - 1), Name("W", l), Name("b", l), Name("z", l), Name("a", l), Name("m", l)

    def explain_z(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        s, u = i
        bias = f" + {b}[{u}]" if layer.bias else ""
        return [f"Σⱼ {a_prev}[{s},j]·{W}[{u},j]{bias}",
                products(v[a_prev][s], v[W][u], f, f"{a_prev}[{s},j]")
                + (f" + {signed(v[b][u], f)}" if layer.bias else "")]

    ops = [Op("weighted_sum", "forward", l, z, (a_prev, W, b) if layer.bias else (a_prev, W), "weighted sum",
              f"{z} = {a_prev}·{W}ᵀ" + (f" + {b}" if layer.bias else ""),
              f"{z.latex()} = {a_prev.latex()} \\, W^{{({l})\\top}}" + (f" + {b.latex()}" if layer.bias else ""),
              compute=(lambda x, W, b: x @ W.T + b) if layer.bias else (lambda x, W: x @ W.T),
              explainer=explain_z, shape=(None, units),
              code=f"{z} = {a_prev} @ {W}.T" + (f" + {b}" if layer.bias else ""))]
    value = f"{a} = {act.value_formula(z, a)}"
    value_tex = f"{a.latex()} = {act.value_tex(z, a)}"
    if not layer.dropout:
        return ops + [Op("activation", "forward", l, a, (z,), f"activation ({act.name})",
                         value + act.legend(), value_tex + act.tex_legend(),
                         compute=act.f, explainer=act.explain_value(z), shape=(None, units),
                         code=assignment(a, act.value_code(z), act.code))]

    p = layer.dropout
    explain_f = act.explain_value(z)

    def explain_mask(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        keep = model.dropout_mask(l, int(v[STEP]), len(v[A0]))[i] > 0
        return [f"{element('keep', i)}/(1 − {p:g})", f"{int(keep)}/(1 − {p:g})"]

    def explain_dropped(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        symbols, numbers = explain_f(v, i, f)
        return [f"{symbols} × {element(str(m), i)}", f"{numbers} × {f(v[m][i])}"]

    return ops + [
        Op("dropout_mask", "forward", l, m, (A0, STEP), "dropout mask",
           f"{m} = keep/(1 − p), keep ~ Bernoulli(1 − p)   (p = {p:g}, inverted dropout)",
           (f"{m.latex()} = \\frac{{\\text{{keep}}}}{{1 - p}}, \\qquad \\text{{keep}}_{{sj}} \\sim "
            f"\\mathrm{{Bernoulli}}(1 - p), \\qquad p = {p:g}"),
           compute=lambda x, t: model.dropout_mask(l, int(t), len(x)), explainer=explain_mask,
           shape=(None, units), code=f"{m} = {model.dropout_code(l, A0)}"),
        Op("activation", "forward", l, a, (z, m), f"activation ({act.name}) with dropout",
           f"{a} = {act.call(str(z))} ⊙ {m}" + act.legend(),
           f"{a.latex()} = {act.tex}({z.latex()}) \\odot {m.latex()}" + act.tex_legend(),
           compute=lambda z, m: act.f(z) * m, explainer=explain_dropped, shape=(None, units),
           code=assignment(a, f"{grouped(act.value_code(z))} * {m}", act.code)),
    ]


# --- the loss -----------------------------------------------------------------------


def loss(model: Model) -> list[Op]:
    """The L2 penalty if any, J, then ∂J/∂a^L — unless softmax with cross-entropy fuses it
    into δ^L."""
    L, ell, mean = model.depth, model.loss, model.reduction == "mean"
    assert ell is not None, "a model without a loss has no loss ops"
    p, y = Name("a", L), TARGETS
    weights = tuple(Name("W", l) for l in range(1, L + 1))
    ops = []
    if model.l2:
        λ = model.l2

        def explain_penalty(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
            return [f"(λ/2)·({' + '.join(f'‖{W}‖²' for W in weights)})",
                    f"({f(λ)}/2)·({' + '.join(f(float(np.sum(v[W] * v[W]))) for W in weights)})"]

        ops.append(Op("penalty", "loss", None, PENALTY, weights, "L2 penalty",
                      f"{PENALTY} = (λ/2)·Σₗ‖Wˡ‖²   (λ = {λ:g}, over the weights, not the biases)",
                      rf"{PENALTY.latex()} = \frac{{\lambda}}{{2}} \sum_l \|W^{{(l)}}\|^2, \qquad \lambda = {λ:g}",
                      compute=lambda *Ws: 0.5 * λ * sum(np.sum(W * W) for W in Ws),
                      explainer=explain_penalty,
                      code=f"{PENALTY} = 0.5 * {λ!r} * ({' + '.join(f'np.sum({W} * {W})' for W in weights)})"))

    red = "(1/B)·Σₛ " if mean else "Σₛ "
    terms: Terms = {"p": p, "y": y, "n": Constant("n", "n", model.layers[-1].units), **ell.constants}
    symbolic: Terms = {**terms, "p": f"{p}[s,j]", "y": "y[s,j]"}
    penalty = " + penalty" if model.l2 else ""
    of, sample = ("p", f"{p}ₛ") if ell.targets == "none" else ("p, y", f"{p}ₛ, yₛ")  # ℓ's arguments

    def explain_loss(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        n, units = len(v[p]), v[p].shape[1]
        first = [ell.term.numbers(terms, v, i, f) for i in itertools.islice(np.ndindex(n, units), TERMS + 1)]
        scale = f"(1/{n})·" if mean and n > 1 else ""
        return [f"{red}{ell.prefix}Σⱼ {ell.term.symbols(symbolic)}{penalty}",
                f"{scale}{ell.prefix}[{sum_of(first, total=n * units, limit=TERMS)}]"
                + (f" + {f(float(v[PENALTY]))}" if model.l2 else "")]

    def J(p: Array, y: Array, penalty: Array | float = 0.0) -> float:
        return reduce(ell.per_sample(p, y), model.reduction) + float(penalty)

    tex_p: Terms = {**terms, "p": f"a^{{({L})}}_{{sj}}", "y": "y_{sj}"}
    ops.append(Op("loss", "loss", None, LOSS, (p, y) + ((PENALTY,) if model.l2 else ()), "loss",
                  f"{LOSS} = {red}ℓ({sample}){penalty},  ℓ({of}) = {ell.formula.text}",
                  (r"J = \frac{1}{B} \sum_s " if mean else r"J = \sum_s ") + ell.formula.tex(tex_p)
                  + (f" + {PENALTY.latex()}" if model.l2 else ""),
                  compute=J, explainer=explain_loss,
                  code=assignment(LOSS, f"np.sum({ell.formula.python(terms)})" + (f" / len({p})" if mean else "")
                                  + (f" + {PENALTY}" if model.l2 else ""), ell.formula.code)))
    if model.fused_softmax_cross_entropy:
        return ops

    gradient = ell.gradient

    def explain_grad(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        sym, num = gradient.element(terms, v, i), gradient.numbers(terms, v, i, f)
        return [f"({sym})/B", f"({num})/{len(v[y])}"] if mean else [sym, num]

    sym = gradient.symbols(terms)
    over_B = r"\frac{1}{B}\left(" + gradient.tex(terms) + r"\right)" if mean else gradient.tex(terms)
    ops.append(Op("loss_grad", "loss", L, grad(p), (p, y), "gradient of the loss",
                  f"{grad(p)} = ∂ℓ/∂{p}" + (f" / B = ({sym})/B" if mean else f" = {sym}")
                  + legend(gradient.constants(terms)),
                  f"{grad(p).latex()} = {over_B}",
                  compute=lambda p, y: ell.grad(p, y) / batch_divisor(len(p), model.reduction),
                  explainer=explain_grad, shape=(None, model.layers[-1].units),
                  code=assignment(grad(p), f"{grouped(gradient.python(terms))} / len({p})" if mean
                                  else gradient.python(terms), gradient.code)))
    return ops


# --- backward -----------------------------------------------------------------------


def backward(model: Model, l: int) -> list[Op]:
    """Layer l's chain-rule terms: f′(z), δ, ∂J/∂W (and its L2 term), ∂J/∂b, and ∂J/∂a of the
    layer below (of the input a⁰ too, with `input_gradient`)."""
    layer = model.layers[l - 1]
    units, fan_in = layer.units, model.inputs if l == 1 else model.layers[l - 2].units
    delta, a_prev, W, b = Name("delta", l), Name("a", l - 1), Name("W", l), Name("b", l)
    if l == model.depth and model.fused_softmax_cross_entropy:
        ops = [_fused_delta(model)]
    else:
        ops = [_dact(model, l), _delta(model, l)]

    def explain_gW(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        r, c = i
        return [f"Σₛ {delta}[s,{r}]·{a_prev}[s,{c}]", products(v[delta][:, r], v[a_prev][:, c], f, f"{delta}[s,{r}]")]

    ops.append(Op("grad_W", "backward", l, grad(W), (delta, a_prev), "gradient of the weights",
                  f"{grad(W)} = {delta}ᵀ·{a_prev}", f"{grad(W).latex()} = \\delta^{{({l})\\top}} \\, {a_prev.latex()}",
                  compute=lambda d, a: d.T @ a, explainer=explain_gW, shape=(units, fan_in),
                  code=f"{grad(W)} = {delta}.T @ {a_prev}"))
    if model.l2:
        terms: Terms = {"g": grad(W), "W": W, "lam": Constant("λ", r"\lambda", model.l2)}
        term = Expression("{g} + {lam}·{W}", "{g} + {lam} {W}")
        ops.append(Op("penalty_grad", "backward", l, grad(W), (grad(W), W), "L2 term of the gradient",
                      f"{grad(W)} = {term.symbols(terms)}   (λ = {model.l2:g})",
                      f"{grad(W).latex()} \\leftarrow {term.tex(terms)}, \\qquad \\lambda = {model.l2:g}",
                      compute=lambda g, W: g + model.l2 * W, explainer=term.explainer(terms),
                      shape=(units, fan_in), code=f"{grad(W)} = {grad(W)} + {model.l2!r} * {W}"))
    if layer.bias:
        ops.append(Op("grad_b", "backward", l, grad(b), (delta,), "gradient of the biases",
                      f"{grad(b)} = Σₛ {delta}", f"{grad(b).latex()} = \\sum_s \\delta^{{({l})}}_{{s}}",
                      compute=lambda d: d.sum(axis=0),
                      explainer=lambda v, i, f: [f"Σₛ {delta}[s,{i[0]}]",
                                                 sum_of([signed(x, f) for x in v[delta][:TERMS + 1, i[0]]],
                                                        total=len(v[delta]), limit=TERMS)],
                      shape=(units,), code=f"{grad(b)} = {delta}.sum(axis=0)"))
    if l > 1 or model.input_gradient:
        def explain_ga(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
            s, c = i
            return [f"Σᵢ {delta}[{s},i]·{W}[i,{c}]", products(v[delta][s], v[W][:, c], f, f"{delta}[{s},i]")]

        ops.append(Op("grad_a", "backward", l, grad(a_prev), (delta, W),
                      "gradient of the layer below" if l > 1 else "gradient of the input (saliency)",
                      f"{grad(a_prev)} = {delta}·{W}", f"{grad(a_prev).latex()} = {delta.latex()} \\, {W.latex()}",
                      compute=lambda d, W: d @ W, explainer=explain_ga, shape=(None, fan_in),
                      code=f"{grad(a_prev)} = {delta} @ {W}"))
    return ops


def _fused_delta(model: Model) -> Op:
    L, mean, over_B = model.depth, model.reduction == "mean", r"\frac{1}{B}"
    p, delta = Name("a", L), Name("delta", L)

    def explain(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        s, j = i
        num = f"{f(v[p][s, j])} − {signed(v[TARGETS][s, j], f)}"
        if not mean:
            return [f"{p}[{s},{j}] − y[{s},{j}]", num]
        return [f"({p}[{s},{j}] − y[{s},{j}])/B", f"({num})/{len(v[TARGETS])}"]

    return Op("delta", "backward", L, delta, (p, TARGETS), "delta (softmax with cross-entropy)",
              f"{delta} = {f'({p} − y)/B' if mean else f'{p} − y'}   "
              "(softmax + cross-entropy, fused: the Jacobian and −y/p cancel)",
              f"{delta.latex()} = {over_B if mean else ''}({p.latex()} - y)",
              compute=lambda p, y: (p - y) / batch_divisor(len(p), model.reduction),
              explainer=explain, shape=(None, model.layers[-1].units),
              code=f"{delta} = ({p} - {TARGETS}) / len({p})" if mean else f"{delta} = {p} - {TARGETS}")


def _dact(model: Model, l: int) -> Op:
    """f′(z) elementwise; the Jacobian for softmax; f′(z) ⊙ m with dropout."""
    layer = model.layers[l - 1]
    act, units = layer.activation, layer.units
    z, a, m, dact = Name("z", l), Name("a", l), Name("m", l), Name("dact", l)
    shape = (None, units) if act.elementwise else (None, units, units)
    if not layer.dropout:
        return Op("dact", "backward", l, dact, (z, a), f"derivative of the activation ({act.name})",
                  f"{dact} = {act.derivative_formula(z, a)}" + act.legend(),
                  act.derivative_tex(z, a) + act.tex_legend(),
                  compute=act.df, explainer=act.explain_derivative(z, a), shape=shape,
                  code=assignment(dact, act.derivative_code(z, a), act.derivative.code))

    explain_df = act.explain_derivative(z, a)

    def explain(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        # f′ in terms of a means f(z), before the mask: a itself holds the mask
        _, numbers = explain_df({**v, a: act.f(v[z])}, i, f)
        return [f"{act.symbol}′({element(str(z), i)}) × {element(str(m), i)}", f"{numbers} × {f(v[m][i])}"]

    return Op("dact", "backward", l, dact, (z, m), f"derivative of the activation ({act.name}) with dropout",
              f"{dact} = ∂{a}/∂{z} = {act.symbol}′({z}) ⊙ {m}   (dropped units pass no gradient)" + act.legend(),
              f"\\frac{{\\partial {a.latex()}}}{{\\partial {z.latex()}}} = f'({z.latex()}) \\odot {m.latex()}",
              compute=lambda z, m: act.df(z, act.f(z)) * m, explainer=explain, shape=shape,
              code=assignment(dact, f"{grouped(act.derivative_code(z, grouped(act.value_code(z))))} * {m}",
                              act.derivative.code, act.code))


def _delta(model: Model, l: int) -> Op:
    """δ = ∂J/∂a ⊙ f′(z), or through the softmax Jacobian."""
    layer = model.layers[l - 1]
    act = layer.activation
    grad_a, dact, delta, z = grad(Name("a", l)), Name("dact", l), Name("delta", l), Name("z", l)
    # with dropout, dact holds the mask too, so the formula names it instead of f′
    factor = str(dact) if layer.dropout else f"{act.symbol}′({z})"

    def explain(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
        s, u = i
        if act.elementwise:
            at = element(str(dact), i) if layer.dropout else f"{act.symbol}′({element(str(z), i)})"
            return [f"{element(str(grad_a), i)} × {at}", f"{signed(v[grad_a][i], f)} × {signed(v[dact][i], f)}"]
        return [f"Σⱼ {grad_a}[{s},j]·{dact}[{s},{u},j]", products(v[grad_a][s], v[dact][s, u], f, f"{grad_a}[{s},j]")]

    if act.elementwise:
        mask = f" \\odot {Name('m', l).latex()}" if layer.dropout else ""
        formula = f"{delta} = {grad_a} ⊙ {factor}"
        tex = f"{delta.latex()} = {grad_a.latex()} \\odot f'({z.latex()}){mask}"
        compute: Callable[..., Array] = np.multiply
        code = f"{delta} = {grad_a} * {dact}"
    else:
        formula = f"{delta} = {dact}·{grad_a}"
        tex = (f"\\delta^{{({l})}}_{{si}} = \\sum_j \\frac{{\\partial J}}{{\\partial a^{{({l})}}_{{sj}}}} "
               f"\\frac{{\\partial a^{{({l})}}_{{sj}}}}{{\\partial z^{{({l})}}_{{si}}}}")
        compute = lambda g, d: np.einsum("sij,sj->si", d, g)
        code = f'{delta} = np.einsum("sij,sj->si", {dact}, {grad_a})'
    return Op("delta", "backward", l, delta, (grad_a, dact), "delta (∂J/∂z)", formula, tex,
              compute=compute, explainer=explain, shape=(None, layer.units), code=code)
