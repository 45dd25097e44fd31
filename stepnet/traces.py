"""An implementation's recorded numbers, for `stepnet compare`: an .npz whose arrays are named
`<name>@<iteration>` (`stepnet.record.Recorder` writes one), or the JSON of `stepnet trace`.

In an .npz a name is one of stepnet's quantities or a name of the scenario's
`[notation.names]` (the source's name wins, as everywhere), and a W-shaped value (W, grad_W,
update_W, v_W, …) is read in the scenario's `[notation] layout`. The JSON of `stepnet trace`
is stepnet's own: its names and its layout; each step's value is a record of its output in
its iteration, the last step writing it giving the value compared. Each array's header is
read before its data. Every mistake is a `ScenarioError` naming the file and the array.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import numpy as np
import orjson

from stepnet import arrays
from stepnet.engine.comparison import Comparison, Record, Tolerance, Unusable, compare
from stepnet.engine.conventions import Alias, Glossary, Notation
from stepnet.engine.names import Name
from stepnet.engine.program import Program
from stepnet.errors import ScenarioError
from stepnet.fields import count, did_you_mean
from stepnet.files import TooLarge, read_at_most
from stepnet.limits import DEFAULT, Limits, parameters
from stepnet.scenario import MAX_EXPECT_ITERATION

#: `z1@3`: a name, an iteration
_KEY = re.compile(r"(.*)@(\d+)")
EXPECTED = "expected an .npz of arrays named NAME@ITERATION (such as z1@1, as stepnet.record.Recorder writes) " \
           "or the JSON of `stepnet trace --format json`"


def comparison(path: Path, program: Program, notation: Notation, tolerance: Tolerance,
               limits: Limits = DEFAULT) -> Comparison:
    """The trace at `path` compared with the program's values: what `stepnet compare` and the
    debugger show. A trace that cannot be compared is a `ScenarioError` naming the array."""
    records = read(path, program, notation, limits)
    last = max(records, key=lambda r: r.iteration)
    if refusal := limits.too_much_work("compare", parameters(program.model), last.iteration,
                                       "up to the trace's last"):
        raise ScenarioError(path, last.where, refusal)
    try:
        return compare(program, records, tolerance)
    except Unusable as e:
        raise ScenarioError(path, e.record.where, str(e)) from None


def read(path: Path, program: Program, notation: Notation, limits: Limits) -> list[Record]:
    """The records in the file at `path`, for a scenario of that program and notation."""
    try:
        if not path.exists():
            raise ScenarioError(path, "", f"no such file; {EXPECTED}")
        if not path.is_file():
            raise ScenarioError(path, "", f"is not a regular file; {EXPECTED}")
        if path.suffix.lower() == ".json":
            return _json(path, read_at_most(path, limits.data_bytes), program, MAX_EXPECT_ITERATION)
        return _npz(path, program, notation, limits)
    except TooLarge as e:
        raise ScenarioError(path, "", limits.exceeded("data_bytes", f"the file has {e}")) from None
    except OSError as e:
        raise ScenarioError(path, "", f"cannot read: {e.strerror or e}") from None


def _npz(path: Path, program: Program, notation: Notation, limits: Limits) -> list[Record]:
    largest = max(int(np.prod(program.shape(name, program.data.batch_size))) for name in program.quantities)
    records = []
    with arrays.archive(path, lambda message: ScenarioError(path, "", message),
                        "with arrays named NAME@ITERATION, such as z1@1") as opened:
        for key in arrays.members(opened):
            written, iteration = _key(path, key, MAX_EXPECT_ITERATION)
            alias = _resolve(path, key, written, program, notation.names)
            shape, dtype = arrays.header(opened, key)
            if problem := arrays.not_numbers(dtype):
                raise ScenarioError(path, key, f"must hold integers or floats, {problem}")
            size = int(np.prod(shape))
            if size > 2 * largest:  # room for what a cause explains: ∂J/∂b a row per sample
                raise ScenarioError(path, key, f"holds {count(size, 'number')}, more than any quantity of this "
                                               f"scenario could (the largest has {largest:,})")
            value = arrays.read(opened, key, partial(ScenarioError, path, key),
                                limits).astype(np.float64)
            flip = notation.layout == "in_out" and alias.name.base.kind == "W" and alias.index is None
            records.append(Record(alias.name, iteration, alias.index, value.T if flip and value.ndim == 2 else value,
                                  0.0, key, written, alias.negated))
    if not records:
        raise ScenarioError(path, "", f"holds no arrays; {EXPECTED}")
    return records


def _key(path: Path, key: str, max_iteration: int) -> tuple[str, int]:
    """`z1@3` → ("z1", 3)."""
    m = _KEY.fullmatch(key)
    if m is None:
        raise ScenarioError(path, key, "the iteration is missing: name each array NAME@ITERATION, such as "
                                       f"{key.partition('@')[0] or 'z1'}@1 (the value after iteration 1's operations)")
    iteration = int(m[2])
    if not 1 <= iteration <= max_iteration:
        raise ScenarioError(path, key, f"expected an iteration from 1 to {max_iteration:,}, got {iteration:,}")
    return m[1], iteration


def _quantities(program: Program) -> list[Name]:
    """What a trace may record: every quantity, and every op's output (t, where the iteration
    starts with it)."""
    return list(dict.fromkeys([*program.quantities, *(op.output for op in program.ops)]))


def _resolve(path: Path, key: str, written: str, program: Program, names: Glossary) -> Alias:
    """What a recorded name stands for: a name of the source's, or stepnet's own."""
    alias = names.resolve(written, _quantities(program))
    if alias is None:
        known = [str(name) for name in program.quantities]
        raise ScenarioError(path, key, f"no quantity named {written!r}{did_you_mean(written, [*names.aliases, *known])}"
                                       f"; this scenario has {', '.join(known)}"
                                       + (f", and the source's names {', '.join(names.aliases)}" if names else ""))
    return alias


def _json(path: Path, text: bytes, program: Program, max_iteration: int) -> list[Record]:
    """The last value of each output in each iteration of `stepnet trace --format json`, whose
    `text` the file `path` holds."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise ScenarioError(path, "", f"is not JSON ({e}); {EXPECTED}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("steps"), list):
        raise ScenarioError(path, "", f"has no \"steps\" list; {EXPECTED}")
    known = {str(name): name for name in _quantities(program)}
    last: dict[tuple[Name, int], Record] = {}
    for i, step in enumerate(doc["steps"]):
        where = f"steps[{i}]"
        if not (isinstance(step, dict) and isinstance(step.get("output"), str) and "value" in step
                and type(step.get("iteration")) is int):
            raise ScenarioError(path, where, "expected a step {\"iteration\", \"output\", \"value\", …} of "
                                             "`stepnet trace --format json`")
        output, iteration = step["output"], step["iteration"]
        where = f"steps[{i}] ({output}@{iteration})"
        if output not in known:
            raise ScenarioError(path, where, f"no quantity named {output!r}{did_you_mean(output, known)}; "
                                             f"this scenario has {', '.join(known)}")
        if not 1 <= iteration <= max_iteration:
            raise ScenarioError(path, where, f"expected an iteration from 1 to {max_iteration:,}, got {iteration:,}")
        try:  # "nan", "inf" and "-inf" stand for themselves
            value = np.array(step["value"], dtype=np.float64)
        except (ValueError, TypeError):
            raise ScenarioError(path, where, "value: expected a number or nested lists of numbers") from None
        name = known[output]
        last[name, iteration] = Record(name, iteration, None, value, 0.0, where, output)
    if not last:
        raise ScenarioError(path, "", f"holds no steps; {EXPECTED}")
    return list(last.values())
