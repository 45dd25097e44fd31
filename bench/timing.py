"""The benches' one way of timing: rounds that interleave the runs, each round starting with
a different one, so that load on the machine hits all alike; the fastest round of each is
kept (on a shared machine noise only ever adds time)."""

from __future__ import annotations

from collections.abc import Callable


def fastest(runs: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """The least of what each run returned (its time) over `rounds` interleaved rounds."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(runs[name]())
    return {name: min(t) for name, t in times.items()}
