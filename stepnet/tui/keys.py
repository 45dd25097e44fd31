"""Every action of the debugger screen with its keys: one table for the bindings, the footer,
the help screen and the command palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Action:
    keys: str  # comma-separated Textual key names
    action: str
    label: str  # short, for the footer
    description: str  # for the help screen and the command palette
    display: str | None = None  # how the footer writes the keys
    footer: bool = True


ACTIONS: tuple[Action, ...] = (
    Action("n,space", "step", "next", "Next operation"),
    Action("N", "back", "prev", "Previous operation (step back, exact)"),
    Action("l", "boundary('layer', True)", "layer▸", "Run to the next layer boundary"),
    Action("L", "boundary('layer', False)", "◂layer", "Back to the previous layer boundary"),
    Action("p", "boundary('phase', True)", "phase▸", "Run to the next phase boundary"),
    Action("P", "boundary('phase', False)", "◂phase", "Back to the previous phase boundary"),
    Action("e", "boundary('iteration', True)", "end", "Run to the end of the iteration"),
    Action("E", "boundary('iteration', False)", "start", "Back to the start of the iteration"),
    Action("c", "continue_(True)", "cont", "Continue to the next breakpoint (or the end of the iteration)"),
    Action("C", "continue_(False)", "rev-cont", "Reverse-continue to the previous breakpoint"),
    Action("b", "toggle_breakpoint", "break", "Toggle a breakpoint on the current operation's output"),
    Action("B", "breakpoints", "breakpoints", "List breakpoints; add a condition such as 'nan' or '|delta| < 1e-6'"),
    Action("i", "iterations", "iterations", "Run N iterations (asks for N) and stop"),
    Action("R", "restart", "restart", "Restart from the scenario's initial state"),
    Action("g", "gradcheck", "gradcheck", "Gradient check: backprop against finite differences"),
    Action("up", "select(-1, 0)", "element", "Select the element above", display="←↑↓→"),
    Action("down", "select(1, 0)", "", "Select the element below", footer=False),
    Action("left", "select(0, -1)", "", "Select the element to the left", footer=False),
    Action("right", "select(0, 1)", "", "Select the element to the right", footer=False),
    Action("plus", "digits(1)", "", "Show one more significant digit", display="+", footer=False),
    Action("minus", "digits(-1)", "", "Show one fewer significant digit", display="-", footer=False),
    Action("ctrl+t", "app.toggle_dark", "theme", "Switch between the dark and the light theme", display="^t"),
    Action("question_mark,f1", "app.help", "help", "Keys and the scenario's description", display="?"),
    Action("q,ctrl+q", "app.quit", "quit", "Quit"),
)


def bindings() -> list[Binding]:
    return [Binding(a.keys, a.action, a.label, show=a.footer, key_display=a.display)
            for a in ACTIONS]


def key_text(action: Action) -> str:
    """The keys as the help screen writes them: `n / space`."""
    names = {"question_mark": "?", "space": "space", "plus": "+", "minus": "-",
             "up": "↑", "down": "↓", "left": "←", "right": "→"}
    return " / ".join(names.get(k, k) for k in action.keys.split(","))
