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
    # the footer shows a forward key and its backward twin as one entry: "l/L layer"; help and
    # quit come first so that a narrow footer still shows them
    Action("question_mark,f1", "app.help", "help", "Keys and the scenario's description", display="?"),
    Action("q,ctrl+q", "app.quit", "quit", "Quit", display="q"),
    Action("n,space", "step", "step", "Next operation", display="n/N"),
    Action("N", "back", "", "Previous operation (step back, exact)", footer=False),
    Action("l", "boundary('layer', True)", "layer", "Run to the next layer boundary", display="l/L"),
    Action("L", "boundary('layer', False)", "", "Back to the previous layer boundary", footer=False),
    Action("p", "boundary('phase', True)", "phase", "Run to the next phase boundary", display="p/P"),
    Action("P", "boundary('phase', False)", "", "Back to the previous phase boundary", footer=False),
    Action("e", "boundary('iteration', True)", "iter", "Run to the end of the iteration", display="e/E"),
    Action("E", "boundary('iteration', False)", "", "Back to the start of the iteration", footer=False),
    Action("c", "continue_(True)", "cont", "Continue to the next breakpoint (or the end of the iteration)",
           display="c/C"),
    Action("C", "continue_(False)", "", "Reverse-continue to the previous breakpoint", footer=False),
    Action("b", "toggle_breakpoint", "break", "Toggle a breakpoint on the current operation's output"),
    Action("B", "breakpoints", "list", "List breakpoints; add a condition such as 'nan' or '|delta| < 1e-6'"),
    Action("i", "iterations", "run", "Run N iterations (asks for N) and stop"),
    Action("R", "restart", "restart", "Restart from the scenario's initial state"),
    Action("g", "gradcheck", "grad", "Gradient check: backprop against finite differences"),
    Action("up", "select(-1, 0)", "", "Select the element above", footer=False),
    Action("down", "select(1, 0)", "", "Select the element below", footer=False),
    Action("left", "select(0, -1)", "", "Select the element to the left", footer=False),
    Action("right", "select(0, 1)", "", "Select the element to the right", footer=False),
    Action("pagedown", "scroll_state(1)", "", "Scroll the state down a page (the wheel scrolls it too)",
           footer=False),
    Action("pageup", "scroll_state(-1)", "", "Scroll the state up a page", footer=False),
    Action("plus", "digits(1)", "", "Show one more significant digit", footer=False),
    Action("minus", "digits(-1)", "", "Show one fewer significant digit", footer=False),
    Action("ctrl+t", "app.toggle_dark", "", "Switch between the dark and the light theme", footer=False),
)


def bindings() -> list[Binding]:
    return [Binding(a.keys, a.action, a.label, show=a.footer, key_display=a.display)
            for a in ACTIONS]


def key_text(action: Action) -> str:
    """The keys as the help screen writes them: `n / space`."""
    names = {"question_mark": "?", "space": "space", "plus": "+", "minus": "-",
             "up": "↑", "down": "↓", "left": "←", "right": "→",
             "pagedown": "page down", "pageup": "page up"}
    return " / ".join(names.get(k, k) for k in action.keys.split(","))
