"""A computation graph, in place of the network diagram: every node with its operation, its
value and its gradient; the current operation's node and the values it reads highlighted.

Where it fits, a layered diagram drawn as a circuit is: the leaves on the left, each node in
the column of its depth with its gate (`+`, `·`, `exp`, `1/`), its name and its value, and
∂J/∂node under the value; wires from each operand into the gates that read it, the current
operation's lit. Where it does not — too wide, too tall, or with wires that would meet where
they do not connect — an aligned list of the nodes in the order the forward pass computes
them, with the nodes that read each one, as many as fit around the current operation's.

A value used k times receives k contributions to its gradient, one backward operation each:
beside a gradient, `2/5` says two of its five have been added so far.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import permutations
from typing import Any, ClassVar, NamedTuple

from stepnet.engine.graph import Vertex
from stepnet.engine.names import Name
from stepnet.engine.op import Op
from stepnet.tui import names
from stepnet.tui.cells import GLYPHS, number
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part

Edge = tuple[Name, Name]  # (operand, node that reads it)
#: a node in its column, or a wire carrying a node's value through a later column
Slot = tuple[Name, int]
Link = tuple[Slot, Slot]

#: a value's room beyond its significant digits: a sign, a point, a leading zero
ROOM = 4
#: lines from one slot of a column to the next: a node's two lines and a blank one
PITCH = 3
#: the significant digits a diagram tries, most first
DIAGRAM_DIGITS = (3, 2)
#: a channel between two columns with more tracks than this is not drawn (every order is tried)
MAX_TRACKS = 6
#: spaces between the list's columns, where they fit
GAP = 2


def operands(v: Vertex) -> list[Name]:
    """The nodes a node reads, each once, in order."""
    return list(dict.fromkeys(o for o in v.operands if isinstance(o, Name)))


@dataclass(frozen=True)
class Nodes:
    """The graph as the view draws it, from the engine's `vertices()` and operations."""

    vertices: dict[Name, Vertex]
    #: each node's readers, in forward order
    users: dict[Name, list[Name]]
    #: the positions in an iteration (1 … N) of the ops adding to each node's gradient
    contributions: dict[Name, list[int]]

    @classmethod
    def of(cls, vertices: Sequence[Vertex], ops: Sequence[Op]) -> Nodes:
        users: dict[Name, list[Name]] = {v.name: [] for v in vertices}
        for v in vertices:
            for u in operands(v):
                users[u].append(v.name)
        contributions = {v.name: [i for i, op in enumerate(ops, 1)
                                  if op.kind == "contribution" and op.output == names.gradient(v.name)]
                         for v in vertices}
        return cls({v.name: v for v in vertices}, users, contributions)

    def past(self, u: Name, column: int) -> set[Edge]:
        """The edges from `u` to its readers past a column: what a wire of u through it carries."""
        return {(u, v) for v in self.users[u] if self.vertices[v].depth > column}

    def carried(self, link: Link) -> set[Edge]:
        """The edges a wire between two slots carries: into a node, its own; into a wire, those
        the wire carries on."""
        (u, _), (target, column) = link
        return {(u, target)} if target != u else self.past(u, column)


class Focus(NamedTuple):
    """What the current operation touches: the node it writes (a value, or the gradient
    passed back to it), the other nodes it reads, the role of each quantity it reads or
    writes ("read", "output"), and the edges it goes along."""

    written: Name | None = None
    reads: frozenset[Name] = frozenset()
    roles: dict[Name, str] = {}  # noqa: RUF012 (never changed: a NamedTuple's default)
    edges: frozenset[Edge] = frozenset()

    def name(self, name: Name) -> str:
        return "graph--focus" if name == self.written else "graph--read" if name in self.reads else ""

    def cell(self, quantity: Name, text: str) -> str:
        role = self.roles.get(quantity) if text else None
        return f"graph--{role}" if role else ""


class GraphView(Part):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"graph--header", "graph--focus", "graph--read", "graph--output",
                                             "graph--dim", "graph--wire", "graph--lit"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        graph = self.session.graph
        assert graph is not None  # the screen composes this part for a graph only
        self.graph = graph
        self.nodes = Nodes.of(graph.vertices(), self.session.debugger.ops)
        self._diagrams: dict[tuple[int, int], Diagram | None] = {}  # by size

    def shows(self, moment: Moment) -> Hashable:
        self._retitle()  # before the frame is drawn, so the frame's title is the moment's
        return moment.position, moment.at_start, moment.digits, moment.runs

    def on_resize(self) -> None:
        self._retitle()  # laid out, or at a new size: how many nodes are listed depends on it

    def _retitle(self) -> None:
        width, height = self.size
        if not height:
            return  # not laid out yet (the first moment comes before the first layout)
        if self.diagram(width, height):
            self.retitle("graph", f"∂{self.graph.output}/∂node under each value")
        else:
            order = list(self.nodes.vertices)
            shown = window(order, height - 1, self.touched())
            self.retitle("graph", f"nodes {shown.start + 1}–{shown.stop} of {len(order)}" if len(shown) < len(order)
                         else "")

    def diagram(self, width: int, height: int) -> Diagram | None:
        """The diagram with the most digits that fits; None if none does."""
        if (width, height) not in self._diagrams:
            laid = (lay_out(self.nodes, digits, width, height) for digits in DIAGRAM_DIGITS)
            self._diagrams[width, height] = next((d for d in laid if d is not None), None)
        return self._diagrams[width, height]

    def touched(self) -> Focus:
        op = self.session.last_op
        if op is None:
            return Focus()
        written, reads = self.graph.focus(op)
        edges = frozenset((u, v.name) for v in self.nodes.vertices.values() for u in operands(v)
                          if written in (u, v.name) and {u, v.name} <= {written, *reads})
        return Focus(written, frozenset(reads) - {written}, {**dict.fromkeys(op.reads, "read"), op.output: "output"},
                     edges)

    def _number(self, name: Name, digits: int) -> str:
        value = self.session.values.get(name)
        return "" if value is None else number(float(value), digits, digits + ROOM)

    def _received(self, name: Name) -> str:
        """`2/5`: the contributions to the gradient added so far, of all; "" for fewer than two."""
        ops = self.nodes.contributions[name]
        return f"{sum(i <= self.session.index for i in ops)}/{len(ops)}" if len(ops) > 1 else ""

    def draw(self) -> list[Line]:
        width, height = self.size
        diagram = self.diagram(width, height)
        return self._list(width, height) if diagram is None else self._diagram(diagram)

    # --- the diagram ----------------------------------------------------------------------

    def _diagram(self, diagram: Diagram) -> list[Line]:
        focus = self.touched()
        lit = {i for i, link in enumerate(diagram.links) if focus.edges & self.nodes.carried(link)}
        rows: list[Line] = [[] for _ in range(diagram.height)]
        for c, (column, width) in enumerate(zip(diagram.columns, diagram.widths)):
            cells: dict[int, Line] = {}
            for slot in column:
                top = diagram.y[slot]
                if slot[1] == self.nodes.vertices[slot[0]].depth:
                    cells[top], cells[top + 1] = self._node(slot[0], diagram.digits, width, focus)
                else:  # a wire through the column
                    on = focus.edges & self.nodes.past(*slot)
                    cells[top] = [("─" * width, "graph--lit" if on else "graph--wire")]
            for y, row in enumerate(rows):
                row += cells.get(y, [(" " * width, "")])
            if c < len(diagram.channels):
                channel = diagram.channels[c]
                for y, row in enumerate(rows):
                    for x in range(channel.width):
                        arms, links = channel.cells.get((x, y), ("", set()))
                        row.append((GLYPHS[arms] if arms else " ", "graph--lit" if links & lit else "graph--wire"))
        return rows

    def _node(self, name: Name, digits: int, width: int, focus: Focus) -> tuple[Line, Line]:
        """A node's two lines: its gate, its name and its value; its gradient under the value."""
        v, room = self.nodes.vertices[name], digits + ROOM
        value, gradient = self._number(name, digits), self._number(names.gradient(name), digits)
        head = f"{v.gate} " if v.gate else ""
        pad = width - len(head) - len(names.text(name)) - room
        received = self._received(name)
        below = f"{received} ∂ " if received else "∂ "
        return ([(head, "graph--dim"), (names.text(name), focus.name(name)), (" " * pad, ""),
                 (value.rjust(room), focus.cell(name, value))],
                [(" " * (width - room - len(below)), ""), (below, "graph--dim"),
                 (gradient.rjust(room), focus.cell(names.gradient(name), gradient))])

    # --- the list -------------------------------------------------------------------------

    def _list(self, width: int, height: int) -> list[Line]:
        """A line per node: its name, what it computes, its value, its gradient, the
        contributions to it received, and where the width leaves room the nodes that read
        it; the nodes around the current operation's when not all fit."""
        focus, digits, order = self.touched(), self.session.digits, list(self.nodes.vertices)
        gradient = f"∂{self.graph.output}/∂node"
        rows = {n: {"node": (names.text(n), focus.name(n)),
                    "computes": (v.expression, "") if v.expression else (v.role, "graph--dim"),
                    "value": (value := self._number(n, digits), focus.cell(n, value)),
                    gradient: (g := self._number(names.gradient(n), digits), focus.cell(names.gradient(n), g)),
                    "terms": (self._received(n), "graph--dim"),
                    "read by": (", ".join(map(names.text, self.nodes.users[n])), "graph--dim")}
                for n, v in self.nodes.vertices.items()}
        right = {"value", gradient}
        columns = [(label, max(len(label), *(len(row[label][0]) for row in rows.values())))
                   for label in ("node", "computes", "value", gradient, "terms")]
        columns = [(label, max(w, digits + ROOM) if label in right else w) for label, w in columns
                   if label != "terms" or any(row["terms"][0] for row in rows.values())]
        gap = GAP if 2 + sum(w + GAP for _, w in columns) <= width else 1
        readers = width - 2 - sum(w + gap for _, w in columns)
        if readers >= len("read by") + 4:
            columns.append(("read by", readers))

        def line(mark: str, cells: dict[str, tuple[str, str]]) -> Line:
            pieces: Line = [(mark, "graph--focus")]
            for label, w in columns:
                text, look = cells[label]
                text = text if len(text) <= w else text[: w - 1] + "…"
                pieces += [(text.rjust(w) if label in right else text.ljust(w), look), (" " * gap, "")]
            return pieces

        shown = window(order, height - 1, focus)
        return [line("  ", {label: (label, "graph--header") for label, _ in columns}),
                *(line("▶ " if n == focus.written else "  ", rows[n]) for n in order[shown.start:shown.stop])]


def window(order: list[Name], rows: int, focus: Focus) -> range:
    """The nodes listed when not all fit: the written one and those read, or as many as fit
    around the written one."""
    rows = max(rows, 1)
    if len(order) <= rows:
        return range(len(order))
    wanted = [order.index(n) for n in (focus.written, *focus.reads) if n is not None]
    if not wanted:
        return range(rows)
    low, high = min(wanted), max(wanted)
    if high - low >= rows and focus.written is not None:
        low = high = order.index(focus.written)
    first = min(max(0, (low + high + 1 - rows) // 2), len(order) - rows)
    return range(first, first + rows)


# --- the diagram's layout: where each slot goes, and how the wires run ---------------------

@dataclass
class Channel:
    """The wires between two columns: each cell's arms ("nsew") and the links through it."""

    width: int
    cells: dict[tuple[int, int], tuple[str, set[int]]] = field(default_factory=dict)

    def draw(self, link: int, path: Iterator[tuple[int, int, str]]) -> None:
        for x, y, arms in path:
            had, links = self.cells.get((x, y), ("", set()))
            self.cells[x, y] = ("".join(a for a in "nsew" if a in had + arms), links | {link})


@dataclass
class Diagram:
    """Where every slot goes and the wires between the columns, for one size and digits."""

    digits: int
    columns: list[list[Slot]]
    widths: list[int]
    y: dict[Slot, int]  # a slot's first line
    channels: list[Channel]  # channels[c] lies between column c and c + 1
    links: list[Link]  # numbered as the channels' cells name them
    height: int

    @property
    def width(self) -> int:
        return sum(self.widths) + sum(c.width for c in self.channels)


def lay_out(nodes: Nodes, digits: int, width: int, height: int) -> Diagram | None:
    """The diagram in `width` × `height` cells, or None where it does not fit or a channel
    cannot be drawn. Each node goes in the column of its depth and a wire through each column
    a value crosses to a later reader; each slot on the mean line of what feeds it, or as far
    up as the slots above leave room."""
    vertices = nodes.vertices
    depth = {n: v.depth for n, v in vertices.items()}
    columns: list[list[Slot]] = [[] for _ in range(max(depth.values()) + 1)]
    for n, v in vertices.items():
        columns[v.depth].append((n, v.depth))
        for c in range(v.depth + 1, max((depth[r] for r in nodes.users[n]), default=0)):
            columns[c].append((n, c))

    def sources(slot: Slot) -> list[Slot]:
        n, c = slot
        return [(n, c - 1)] if depth[n] != c else [(u, c - 1) for u in operands(vertices[n])]

    y: dict[Slot, int] = {}
    for c, column in enumerate(columns):
        wanted = {s: round(sum(y[f] for f in sources(s)) / len(sources(s))) if c and sources(s) else 0 for s in column}
        column.sort(key=wanted.__getitem__)  # stable: in forward order where equal
        below = -PITCH
        for s in column:
            y[s] = below = max(wanted[s], below + PITCH)
    room = digits + ROOM
    widths = [max([1] + [max(len(f"{v.gate} " if v.gate else "") + len(names.text(v.name)) + 1,
                             len(f"{k}/{k} ∂ ") if (k := len(nodes.contributions[v.name])) > 1 else 2) + room
                         for v in (vertices[n] for n, c in column if depth[n] == c)]) for column in columns]
    lines = max(y.values()) + 2
    if lines > height or sum(widths) + len(columns) - 1 > width:
        return None
    links: list[Link] = []
    channels = []
    for c in range(len(columns) - 1):
        between = [(s, t) for t in columns[c + 1] for s in sources(t)]
        channel = route(between, y, len(links))
        if channel is None:
            return None
        links += between
        channels.append(channel)
    diagram = Diagram(digits, columns, widths, y, channels, links, lines)
    return diagram if diagram.width <= width else None


def route(links: list[Link], y: dict[Slot, int], first: int) -> Channel | None:
    """The wires of a channel (its links numbered from `first`): a target fed by one slot on
    its own line gets a straight wire; any other, a vertical track its sources' wires run to
    and its own leaves from. The tracks are tried in every order until each set of wires that
    touch — which a reader takes to be connected — connects each of its sources to each of its
    targets. None if no order does."""
    targets = list(dict.fromkeys(t for _, t in links))
    fed = {t: [s for s, u in links if u == t] for t in targets}
    tracks = [t for t in targets if len(fed[t]) > 1 or y[fed[t][0]] != y[t]]
    if len(tracks) > MAX_TRACKS:
        return None
    width = len(tracks) + 2 if tracks else 1
    for order in permutations(tracks):
        x = {t: i + 1 for i, t in enumerate(order)}
        channel = Channel(width)
        for i, (s, t) in enumerate(links):
            channel.draw(first + i, path(y[s], y[t], x.get(t), width))
        if connected_as_drawn(channel, links, first):
            return channel
    return None


def path(start: int, end: int, track: int | None, width: int) -> Iterator[tuple[int, int, str]]:
    """The cells of a wire, with their arms: along the source's line to the track, along the
    track, along the target's line to the end (straight across without a track)."""
    if track is None:
        yield from ((x, start, "ew") for x in range(width))
        return
    yield from ((x, start, "ew") for x in range(track))
    if start == end:
        yield track, start, "ew"
    else:
        down = end > start
        yield track, start, "sw" if down else "nw"
        yield from ((track, line, "ns") for line in range(min(start, end) + 1, max(start, end)))
        yield track, end, "ne" if down else "se"
    yield from ((x, end, "ew") for x in range(track + 1, width))


def connected_as_drawn(channel: Channel, links: list[Link], first: int) -> bool:
    """Whether every set of links that share cells connects each of its sources to each of
    its targets."""
    group = list(range(len(links)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for _, through in channel.cells.values():
        ids = [i - first for i in through]
        for i in ids[1:]:
            group[root(i)] = root(ids[0])
    members: dict[int, list[Link]] = {}
    for i, link in enumerate(links):
        members.setdefault(root(i), []).append(link)
    fed = set(links)
    return all((s, t) in fed for group_links in members.values()
               for s in {s for s, _ in group_links} for t in {t for _, t in group_links})
