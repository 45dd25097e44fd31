"""The debugger's views: arrangements of the same parts for a purpose, cycled by `v` and
chosen with `stepnet FILE --view NAME`. The stylesheet lays each out (the screen's class
`-view-NAME`); the parts that draw differently in one ask the moment's `view`.

Imported by the command line's parser: no Textual, no NumPy.
"""

from __future__ import annotations

import argparse

#: each view and what it shows, in the order `v` cycles through them
VIEWS = {
    "full": "every part: the operation, the network, the loss, the figures, the description and the state",
    "presenter": "for a projector: the operation and the network large, the description beside them, "
                 "the state hidden",
    "neuron": "one neuron's story: its inputs × weights and their products, z, a, f′(z), δ, each weight's "
              "gradient and update, with the weights on the diagram's edges",
}
#: a computation graph has no neurons: the views it has
GRAPH_VIEWS = ("full", "presenter")
NO_NEURONS = ("A computation graph has no neurons: its views are full and presenter (the graph view shows each "
              "node's value and gradient).")


def cycled(view: str, step: int, graph: bool) -> str:
    """The view after `view`, `step` places on (back if negative), among those the scenario has."""
    order = list(GRAPH_VIEWS if graph else VIEWS)
    return order[(order.index(view) + step) % len(order)] if view in order else order[0]


def view_name(text: str) -> str:
    """An argparse type: one of the views."""
    if text not in VIEWS:
        raise argparse.ArgumentTypeError(f"no view {text!r}; expected one of {', '.join(VIEWS)}")
    return text
