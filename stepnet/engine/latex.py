"""Each operation's formula in LaTeX math, for worked examples published on the web.

Derived from the op's structure (its kind and layer) and the model (activation, loss,
reduction, optimizer), so the program's ops need no LaTeX of their own. Layer l is a
superscript (l), a sample s and a unit j subscripts: a^{(1)}_{sj}. An op kind this
module does not know gets None, and a caller shows the op's plain formula instead.
"""

from __future__ import annotations

from stepnet.engine.model import Model
from stepnet.engine.program import Op

#: f(z) of each activation, with {z} standing for the weighted sum, and its definition
ACTIVATIONS = {
    "sigmoid": (r"\sigma({z})", r"\frac{{1}}{{1 + e^{{-{z}}}}}"),
    "tanh": (r"\tanh({z})", ""),
    "relu": (r"\max(0,\ {z})", ""),
    "leaky_relu": (r"\mathrm{{LeakyReLU}}({z})",
                   r"\begin{{cases}} {z} & {z} > 0 \\ \alpha {z} & \text{{otherwise}} \end{{cases}}"),
    "identity": ("{z}", ""),
}
#: f′ elementwise in terms of z, and (where shorter) in terms of the activation {a} = f(z)
DERIVATIVES = {
    "sigmoid": (r"\sigma'({z})", r"{a} \odot (1 - {a})"),
    "tanh": (r"\tanh'({z})", r"1 - ({a})^{{2}}"),
    "relu": (r"\mathbb{{1}}[{z} > 0]", ""),
    "leaky_relu": (r"\begin{{cases}} 1 & {z} > 0 \\ \alpha & \text{{otherwise}} \end{{cases}}", ""),
    "identity": ("1", ""),
}
#: ℓ(p, y) of one sample and ∂ℓ/∂p, with {p}, {y} one element of the prediction and target
LOSSES = {
    "half_sse": (r"\frac{{1}}{{2}} \sum_j ({p} - {y})^2", "{p} - {y}"),
    "sse": (r"\sum_j ({p} - {y})^2", "2({p} - {y})"),
    "mse": (r"\frac{{1}}{{n}} \sum_j ({p} - {y})^2", r"\frac{{2}}{{n}}({p} - {y})"),
    "cross_entropy": (r"-\sum_j {y} \log {p}", r"-\frac{{{y}}}{{{p}}}"),
    "binary_cross_entropy": (r"-\sum_j \left[{y} \log {p} + (1 - {y}) \log(1 - {p})\right]",
                             r"\frac{{{p} - {y}}}{{{p}(1 - {p})}}"),
}


DELTA = r"\delta"


def q(name: str, layer: int | str, sub: str = "") -> str:
    """A layer quantity: q("a", 2, "sj") is a^{(2)}_{sj}."""
    return f"{name}^{{({layer})}}" + (f"_{{{sub}}}" if sub else "")


def grad(of: str) -> str:
    return rf"\frac{{\partial J}}{{\partial {of}}}"


def latex(op: Op, model: Model) -> str | None:
    """The LaTeX (without $$ delimiters) of the formula `op` computes, or None."""
    l = op.layer
    mean = model.reduction == "mean"
    over_B = r"\frac{1}{B}" if mean else ""
    L = model.depth
    if op.kind == "batch":
        return r"a^{(0)} = x_{\text{batch}}, \qquad y = \text{targets}_{\text{batch}}"
    if op.kind == "weighted_sum":
        bias = f" + {q('b', l)}" if model.layers[l - 1].bias else ""
        return f"{q('z', l)} = {q('a', l - 1)} \\, W^{{({l})\\top}}{bias}"
    if op.kind == "activation":
        act = model.layers[l - 1].activation.name
        if act == "softmax":
            return (f"{q('a', l, 'sj')} = \\frac{{e^{{{q('z', l, 'sj')}}}}}"
                    f"{{\\sum_k e^{{{q('z', l, 'sk')}}}}}")
        call, definition = (t.format(z=q("z", l)) for t in ACTIVATIONS[act])
        if model.layers[l - 1].dropout:
            return f"{q('a', l)} = {call} \\odot {q('m', l)}" + _slope(model, l)
        return f"{q('a', l)} = {call}" + (f" = {definition}" if definition else "") + _slope(model, l)
    if op.kind == "loss":
        term = LOSSES[model.loss.name][0].format(p=q("a", L, "sj"), y="y_{sj}")
        return f"J = {over_B} \\sum_s {term}" if mean else f"J = \\sum_s {term}"
    if op.kind == "loss_grad":
        g = LOSSES[model.loss.name][1].format(p=q("a", L), y="y")
        return f"{grad(q('a', L))} = " + (f"\\frac{{1}}{{B}}\\left({g}\\right)" if mean else g)
    if op.kind == "dact":
        act = model.layers[l - 1].activation.name
        if act == "softmax":
            return (f"\\frac{{\\partial {q('a', l, 'sj')}}}{{\\partial {q('z', l, 'si')}}} = "
                    f"{q('a', l, 'si')} (\\delta_{{ij}} - {q('a', l, 'sj')})")
        call, by_a = (t.format(z=q("z", l), a=q("a", l)) for t in DERIVATIVES[act])
        if model.layers[l - 1].dropout:  # a holds the mask: f′ only in terms of z
            return (f"\\frac{{\\partial {q('a', l)}}}{{\\partial {q('z', l)}}} = "
                    f"{call} \\odot {q('m', l)}" + _slope(model, l))
        return f"f'({q('z', l)}) = {call}" + (f" = {by_a}" if by_a else "") + _slope(model, l)
    if op.kind == "delta":
        if l == L and model.fused_softmax_cross_entropy:
            return f"{q(DELTA, l)} = {over_B}({q('a', l)} - y)"
        if not model.layers[l - 1].activation.elementwise:
            return (f"{q(DELTA, l, 'si')} = \\sum_j {grad(q('a', l, 'sj'))} "
                    f"\\frac{{\\partial {q('a', l, 'sj')}}}{{\\partial {q('z', l, 'si')}}}")
        mask = f" \\odot {q('m', l)}" if model.layers[l - 1].dropout else ""
        return f"{q(DELTA, l)} = {grad(q('a', l))} \\odot f'({q('z', l)}){mask}"
    if op.kind == "grad_W":
        return f"{grad(q('W', l))} = \\delta^{{({l})\\top}} \\, {q('a', l - 1)}"
    if op.kind == "grad_b":
        return f"{grad(q('b', l))} = \\sum_s {q(DELTA, l, 's')}"
    if op.kind == "grad_a":
        return f"{grad(q('a', l - 1))} = {q(DELTA, l)} \\, {q('W', l)}"
    if op.kind == "dropout_mask":
        return (f"{q('m', l)} = \\frac{{\\text{{keep}}}}{{1 - p}}, \\qquad \\text{{keep}}_{{sj}} \\sim "
                f"\\mathrm{{Bernoulli}}(1 - p), \\qquad p = {model.layers[l - 1].dropout:g}")
    if op.kind in ("update", "velocity"):
        return _update(op, model)
    return None


def _slope(model: Model, l: int) -> str:
    """`, α = 0.01` for a leaky ReLU layer."""
    slope = model.layers[l - 1].activation.negative_slope
    return "" if slope is None else rf", \qquad \alpha = {slope:g}"


def _update(op: Op, model: Model) -> str:
    opt = model.optimizer
    param = op.output.removeprefix("v_")
    theta = q(param[0], param[1:])
    eta = rf"\eta = {opt.learning_rate:g}"
    if op.kind == "velocity":
        v = f"V_{{{theta}}}"
        return (f"{v} \\leftarrow \\mu {v} - \\eta {grad(theta)}, "
                f"\\qquad \\mu = {opt.momentum:g},\\ {eta}")
    if opt.kind == "momentum":
        return f"{theta} \\leftarrow {theta} + V_{{{theta}}}"
    return f"{theta} \\leftarrow {theta} - \\eta {grad(theta)}, \\qquad {eta}"
