"""A whole iteration in straight-line NumPy, for running many iterations unwatched.

The same kernels, in the same order, as the op-by-op program — so the parameters it
produces are bit-identical (tests/test_stepping.py holds it to that). `masks` are the
iteration's dropout masks by layer; without them the network is evaluated as at test
time, with every unit.
"""

from __future__ import annotations

import numpy as np

from stepnet.engine import backprop as bp
from stepnet.engine.losses import reduce
from stepnet.engine.model import Model

Array = np.ndarray
State = dict[str, Array]
Masks = dict[int, Array]


def forward(model: Model, state: State, x: Array, masks: Masks | None = None
            ) -> tuple[list[Array], list[Array]]:
    """zs[l] and activations[l] for l = 1..L (index 0 of both is the input)."""
    zs: list[Array] = [x]
    activations: list[Array] = [x]
    for l, layer in enumerate(model.layers, start=1):
        z = bp.weighted_sum(activations[-1], state[f"W{l}"], state.get(f"b{l}"))
        zs.append(z)
        a = layer.activation.f(z)
        activations.append(bp.dropout(a, masks[l]) if masks and l in masks else a)
    return zs, activations


def loss_value(model: Model, p: Array, y: Array) -> np.float64:
    return np.float64(reduce(model.loss.per_sample(p, y), model.reduction))


def gradients(model: Model, state: State, x: Array, y: Array, masks: Masks | None = None
              ) -> tuple[np.float64, State]:
    """J and ∂J/∂θ for every parameter θ, by backpropagation."""
    return backward(model, state, *forward(model, state, x, masks), y, masks)


def backward(model: Model, state: State, zs: list[Array], a: list[Array], y: Array,
             masks: Masks | None = None) -> tuple[np.float64, State]:
    """J and ∂J/∂θ from a forward pass's zs and activations."""
    masks = masks or {}
    L = model.depth
    J = loss_value(model, a[L], y)
    grads: State = {}
    if model.fused_softmax_cross_entropy:
        delta = bp.fused_delta(model.reduction, a[L], y)
    else:
        grad_a = bp.output_gradient(model.loss, model.reduction, a[L], y)
    for l in range(L, 0, -1):
        act = model.layers[l - 1].activation
        if not (l == L and model.fused_softmax_cross_entropy):
            if l in masks:
                dact = bp.dropout(act.df(zs[l], act.f(zs[l])), masks[l])
            else:
                dact = act.df(zs[l], a[l])
            delta = bp.delta(grad_a, dact, act)
        grads[f"W{l}"] = bp.grad_weights(delta, a[l - 1])
        if model.layers[l - 1].bias:
            grads[f"b{l}"] = bp.grad_bias(delta)
        if l > 1:
            grad_a = bp.grad_previous(delta, state[f"W{l}"])
    return J, grads


def update(model: Model, state: State, grads: State) -> State:
    """The state after one optimizer step: θ ← θ − η·∂J/∂θ, or through the velocity."""
    opt = model.optimizer
    new = dict(state)
    for name in model.trained_parameters():
        if opt.kind == "momentum":
            v = bp.velocity(state[f"v_{name}"], grads[name], opt.learning_rate, opt.momentum)
            new[f"v_{name}"] = v
            new[name] = bp.apply_velocity(state[name], v)
        else:
            new[name] = bp.sgd(state[name], grads[name], opt.learning_rate)
    return new


def train_step(model: Model, state: State, x: Array, y: Array, masks: Masks | None = None
               ) -> tuple[State, np.float64, bool]:
    """One iteration: the new parameters (and velocities), the loss before the update, and
    whether its passing quantities stayed finite.

    That is checked on z, J and the frozen parameters' gradients: a non-finite activation,
    ∂J/∂a, f′ or δ always reaches one of them (a saturated σ(±inf) is finite, so z itself
    must be looked at). A non-finite velocity or trained gradient reaches its parameter, and
    a parameter, once non-finite, stays so — `parameters_finite` checks those once per run.
    """
    with np.errstate(all="ignore"):
        zs, a = forward(model, state, x, masks)
        J, grads = backward(model, state, zs, a, y, masks)
        finite = (bool(np.isfinite(J)) and all(np.isfinite(z).all() for z in zs[1:])
                  and all(np.isfinite(grads[name]).all() for name in model.optimizer.frozen))
        return update(model, state, grads), J, finite


def parameters_finite(model: Model, state: State) -> bool:
    """Whether every trained parameter is finite (inf − x and NaN − x never are again)."""
    return all(np.isfinite(state[name]).all() for name in model.trained_parameters())
