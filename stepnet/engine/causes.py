"""Why a source's figure differs from stepnet's: the catalogue of causes.

A cause is one definition: its id, one line saying what the source did, and how to recompute
the figure under that slip — candidate values of the figure's quantity, each asked of the
`Evidence` (the source's figures, stepnet's, and replays of the iterations another way). A
figure has a cause when one of its candidates reproduces the stated figure within its
tolerance; the causes are tried in the order they are defined, and the first that does is
named. `stepnet check` judges a scenario's `[[expect]]` figures with it (`judge.py`), and
`stepnet compare` an implementation's recorded values (`comparison.py`): the slips in code at
the end are the ones people make writing backpropagation themselves.

`rounding` is tried before `inherited`: a figure that follows from the source's confirmed
figures alone does not owe its difference to an earlier error, even one it depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Protocol, cast

import numpy as np

from stepnet.engine.activations import ACTIVATIONS, Activation
from stepnet.engine.expect import Expectation
from stepnet.engine.model import Dataset, Layer, Model
from stepnet.engine.names import LOSS, TARGETS, Name
from stepnet.engine.op import Op
from stepnet.engine.program import Program, build_program
from stepnet.engine.replay import Ops, State, Variant, recomputed

Array = np.ndarray


class Evidence(Protocol):
    """What a cause may ask about figure `f` (its place among the figures judged)."""

    @property
    def program(self) -> Program: ...

    def expectation(self, f: int) -> Expectation:
        """The figure as the source states it."""
        ...

    def exact(self, f: int) -> Array:
        """Its quantity as stepnet computes it, when the figure is read."""
        ...

    def from_stated(self, f: int, contradicted: bool, rounded: bool, variant: Variant | None = None) -> Array | None:
        """Its quantity recomputed from the source's own earlier figures put in place of
        stepnet's: those confirmed or off only by rounding, or (`contradicted`) every one; with
        `rounded`, every intermediate rounded as the source rounds; with `variant`, by its ops.
        None where the evidence has no such figures (an implementation's numbers are not rounded)."""
        ...

    def culprits(self, f: int) -> list[int]:
        """The earlier figures, contradicted and not by rounding alone, that it is computed from."""
        ...

    def under(self, f: int, variant: Variant) -> Array | None:
        """Its quantity when every iteration is computed as `variant` says."""
        ...


Recompute = Callable[[Evidence, int], Iterator[Array | None]]


@dataclass(frozen=True)
class Cause:
    id: str
    #: what the source did, in one line
    explanation: str
    recompute: Recompute = field(repr=False, compare=False)


#: the catalogue, in the order the causes are tried
CAUSES: list[Cause] = []


def find(e: Evidence, f: int, reproduces: Callable[[Array], bool]) -> Cause | None:
    """The first cause of the catalogue one of whose values of figure f's quantity
    `reproduces` the figure; None if none does."""
    return next((c for c in CAUSES if any(v is not None and reproduces(v) for v in c.recompute(e, f))), None)


def cause(id: str, explanation: str) -> Callable[[Recompute], Cause]:
    """Add the decorated recomputation to the catalogue as the cause `id`."""
    def define(recompute: Recompute) -> Cause:
        CAUSES.append(Cause(id, explanation, recompute))
        return CAUSES[-1]

    return define


# --- the source's arithmetic ------------------------------------------------------------

@cause("rounding", "stepnet's value, or one recomputed from the source's own rounded figures or with every step "
                   "rounded as it prints them, matches the figure as printed")
def ROUNDING(e: Evidence, f: int) -> Iterator[Array | None]:
    yield e.exact(f)  # the source computed exactly and printed rounded
    yield e.from_stated(f, contradicted=False, rounded=False)
    yield e.from_stated(f, contradicted=False, rounded=True)


@cause("inherited", "recomputed from the source's own value of an earlier contradicted figure, it matches")
def INHERITED(e: Evidence, f: int) -> Iterator[Array | None]:
    if e.culprits(f):
        yield e.from_stated(f, contradicted=True, rounded=False)
        yield e.from_stated(f, contradicted=True, rounded=True)


# --- slips in the algorithm -------------------------------------------------------------

def _updates_first(ops: Ops) -> Ops:
    """Each layer's updates moved before the op that carries δ to the layer below through its
    weights, which then reads them updated."""
    updates = [op for op in ops if op.phase == "update"]
    placed: list[Op] = []
    for op in ops:
        if op.kind == "grad_a":
            placed += [u for u in updates if u.layer is None or u.layer == op.layer]
            updates = [u for u in updates if u not in placed]
        if op.phase != "update":
            placed.append(op)
    return tuple(placed + updates)


@cause("updated-weights", "a layer's backward pass used weights already updated in this iteration")
def UPDATED_WEIGHTS(e: Evidence, f: int) -> Iterator[Array | None]:
    if any(op.phase == "update" for op in e.program.ops):
        yield e.under(f, Variant("updated-weights", ops=_updates_first))


def _layer_sets(layers: list[int]) -> list[tuple[int, ...]]:
    """Where a slip may be made: in every one of `layers`, or in one alone."""
    return ([tuple(layers)] if len(layers) > 1 else []) + [(l,) for l in layers]


def _network(e: Evidence) -> Model | None:
    """The layered network the figures are of; None for a computation graph, where the
    slips of a network's layers do not apply."""
    model = e.program.model
    return model if isinstance(model, Model) else None


def _layer(e: Evidence, op: Op) -> Layer:
    model = _network(e)
    assert op.layer is not None and model is not None  # only a network's ops have layers
    return model.layers[op.layer - 1]


def _dact(e: Evidence, f: int, slip: str,
          derivative: Callable[[Op], Callable[..., Array] | None]) -> Iterator[Array | None]:
    """The figure with f′ computed as `derivative(op)` says in some layers (None: not in that one)."""
    ops = e.program.ops
    layers = [op.layer for op in ops if op.kind == "dact" and op.layer is not None and derivative(op)]
    for chosen in _layer_sets(layers):
        def change(ops: Ops, chosen: tuple[int, ...] = chosen) -> Ops:
            return recomputed(ops, lambda op: op.kind == "dact" and op.layer in chosen,
                              lambda op: derivative(op) or op.compute)

        yield e.under(f, Variant(f"{slip} {chosen}", ops=change))


@cause("missing-derivative", "δ without the f′(z) factor: δ = ∂J/∂a")
def MISSING_DERIVATIVE(e: Evidence, f: int) -> Iterator[Array | None]:
    def one(op: Op) -> Callable[..., Array]:
        if _layer(e, op).dropout:  # f′ ⊙ m is left with m
            return lambda z, m: m
        if _layer(e, op).activation.elementwise:
            return lambda z, a: np.ones_like(z)
        return lambda z, a: np.broadcast_to(np.eye(z.shape[1]), (len(z), z.shape[1], z.shape[1]))

    yield from _dact(e, f, "missing-derivative", one)


@cause("derivative-of-activation", "f′ evaluated at the activation a instead of z: σ(a)·(1 − σ(a))")
def DERIVATIVE_OF_ACTIVATION(e: Evidence, f: int) -> Iterator[Array | None]:
    def at_a(op: Op) -> Callable[..., Array] | None:
        act = _layer(e, op).activation
        if not act.elementwise:
            return None
        if _layer(e, op).dropout:
            return lambda z, m: act.df(act.f(z) * m, act.f(act.f(z) * m)) * m
        return lambda z, a: act.df(a, act.f(a))

    yield from _dact(e, f, "derivative-of-activation", at_a)


def _loss_scaled(factor: Callable[[int], float]) -> Callable[[Ops], Ops]:
    """J and ∂J/∂a^L (or the fused δ^L) times factor(B), B the batch's samples."""
    def scaled(op: Op) -> Callable[..., object]:
        return lambda p, *rest: factor(len(p)) * cast(Array, op.compute(p, *rest))

    return lambda ops: recomputed(
        ops, lambda op: op.output == LOSS or op.kind == "loss_grad" or (op.kind == "delta" and TARGETS in op.reads),
        scaled)


#: the slip on each squared loss: half_sse without its ½ (2×), sse or mse with a ½ (½×)
HALVES = {"half_sse": 2.0, "sse": 0.5, "mse": 0.5}


@cause("half", "the loss with or without ½ in front: the loss and every gradient 2× or ½×")
def HALF(e: Evidence, f: int) -> Iterator[Array | None]:
    model = _network(e)
    c = HALVES.get(model.loss.name) if model is not None and model.loss is not None else None
    if c is not None:
        yield e.under(f, Variant("half", ops=_loss_scaled(lambda B: c)))


@cause("batch-mean", "summed over the batch instead of averaged, or the reverse: the loss and every gradient "
                     "B× or 1/B×")
def BATCH_MEAN(e: Evidence, f: int) -> Iterator[Array | None]:
    model, data = _network(e), e.program.data
    if model is not None and model.loss is not None and data.batch_size > 1:
        power = 1 if model.reduction == "mean" else -1
        yield e.under(f, Variant("batch-mean", ops=_loss_scaled(lambda B: float(B) ** power)))


# --- slips in code ----------------------------------------------------------------------

def _times(op: Op, factor: Callable[[Array], Array], z: Name) -> Op:
    """`op` with its result multiplied by factor(z)."""
    return replace(op, reads=(*op.reads, z), compute=lambda *values: op.compute(*values[:-1]) * factor(values[-1]))


def _extra(l: int, g: Activation, chained: bool) -> Callable[[Ops], Ops]:
    """Layer l's activation applied to g(z) instead of z; `chained`: its backward pass takes
    g′ into account (as automatic differentiation does), or not (as code written for f alone)."""
    def change(ops: Ops) -> Ops:
        z = Name("z", l)
        changed = []
        for op in ops:
            if op.layer == l and (op.kind == "activation" or (chained and op.kind == "dact")):
                op = replace(op, compute=lambda z, *rest, op=op: op.compute(g.f(z), *rest))
            elif chained and op.layer == l and op.kind == "delta":
                op = _times(op, lambda z: g.df(z, g.f(z)), z)
            changed.append(op)
        return tuple(changed)

    return change


@cause("extra-activation", "an activation applied where none belongs, e.g. ReLU on the logits before softmax")
def EXTRA_ACTIVATION(e: Evidence, f: int) -> Iterator[Array | None]:
    model = _network(e)
    if model is None:
        return
    # the activations the code has at hand: those of the network's layers
    extras = {layer.activation.name: layer.activation for layer in model.layers
              if layer.activation.elementwise and layer.activation.name != "identity"}
    for l, layer in enumerate(model.layers, start=1):
        for g in extras.values():
            if g.name != layer.activation.name:
                for chained in (False, True):
                    yield e.under(f, Variant(f"extra-activation {g.name} {l} {chained}", ops=_extra(l, g, chained)))


@cause("relu-derivative-on-softmax", "the softmax output's δ multiplied by ReLU's derivative: δᴸ = (p − y)⊙[z > 0]")
def RELU_DERIVATIVE_ON_SOFTMAX(e: Evidence, f: int) -> Iterator[Array | None]:
    model = _network(e)
    if model is None or model.layers[-1].activation.name != "softmax":
        return
    L, relu = model.depth, ACTIVATIONS.make("relu")

    def change(ops: Ops) -> Ops:
        return tuple(_times(op, lambda z: relu.df(z, relu.f(z)), Name("z", L))
                     if op.kind == "delta" and op.layer == L else op for op in ops)

    yield e.under(f, Variant("relu-derivative-on-softmax", ops=change))


#: ∂J/∂b not summed over the samples: δ as it is (a row per sample), or averaged
_UNSUMMED: dict[str, Callable[[Array], Array]] = {"rows": lambda d: d, "mean": lambda d: d.mean(axis=0)}


@cause("bias-not-summed", "∂J/∂b not summed over the batch's samples: δ itself (a row per sample), or its mean")
def BIAS_NOT_SUMMED(e: Evidence, f: int) -> Iterator[Array | None]:
    model = _network(e)
    if model is None or e.program.data.batch_size == 1:  # one sample: the sum is δ's only row
        return
    for chosen in _layer_sets([l for l, layer in enumerate(model.layers, start=1) if layer.bias]):
        for how, compute in _UNSUMMED.items():
            def change(ops: Ops, chosen: tuple[int, ...] = chosen,
                       compute: Callable[[Array], Array] = compute) -> Ops:
                return recomputed(ops, lambda op: op.kind == "grad_b" and op.layer in chosen, lambda op: compute)

            yield e.under(f, Variant(f"bias-not-summed {how} {chosen}", ops=change))


def _rate(model: Model, data: Dataset, factor: float) -> Variant:
    """Every update with the learning rate times `factor`."""
    assert model.optimizer is not None
    optimizer = replace(model.optimizer, learning_rate=model.optimizer.learning_rate * factor)
    ops = build_program(replace(model, optimizer=optimizer), data).ops
    return Variant(f"learning rate × {factor!r}", ops=lambda _: ops)


@cause("learning-rate", "the update used another learning rate than the scenario's")
def LEARNING_RATE(e: Evidence, f: int) -> Iterator[Array | None]:
    """The parameter as the update found it (rate 0) and as stepnet moves it, both from the
    source's own values: an update with another rate moves it along the same line, by c·η."""
    model, figure = _network(e), e.expectation(f)
    if model is None or figure.name not in model.trained_parameters():
        return
    still = e.from_stated(f, contradicted=True, rounded=False, variant=_rate(model, e.program.data, 0.0))
    moved = e.from_stated(f, contradicted=True, rounded=False)
    if still is None or moved is None or figure.pick(still).shape != figure.value.shape:
        return
    with np.errstate(all="ignore"):
        step, wanted = figure.pick(moved) - figure.pick(still), figure.value - figure.pick(still)
        if np.count_nonzero(step) < 2:  # one number fits any rate: that says nothing
            return
        c = float(np.sum(step * wanted) / np.sum(step * step))
        yield still + c * (moved - still)


@cause("sign", "the negative of stepnet's figure: an error term (t − y)·f′ is −δ")
def SIGN(e: Evidence, f: int) -> Iterator[Array | None]:
    yield -e.exact(f)


@cause("transposed", "read or written the other way round: W[i,j] taken for W[j,i] (the other layout)")
def TRANSPOSED(e: Evidence, f: int) -> Iterator[Array | None]:
    exact, figure = e.exact(f), e.expectation(f)
    # a W-shaped figure, or a whole matrix (an implementation's samples in columns)
    if exact.ndim == 2 and (figure.name.base.kind == "W" or figure.index is None):
        yield exact.T
    model = _network(e)
    if model is None:
        return
    square = [l for l in range(1, model.depth + 1) if len(set(model.initial[Name("W", l)].shape)) == 1]
    for chosen in _layer_sets(square):
        def initial(state: State, chosen: tuple[int, ...] = chosen) -> State:
            return {**state, **{Name("W", l): state[Name("W", l)].T for l in chosen}}

        yield e.under(f, Variant(f"transposed {chosen}", initial=initial))
