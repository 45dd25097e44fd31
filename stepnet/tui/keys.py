"""Every action of the debugger screen with its keys: one table for the bindings, the footer,
the help screen and the command palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Action:
    keys: str  # comma-separated Textual key names
    action: str
    label: str  # short, for the footer
    description: str  # for the help screen and the command palette
    display: str | None = None  # how the footer writes the keys
    footer: bool = False


ACTIONS: tuple[Action, ...] = (
    # the footer shows a forward key and its backward twin as one entry, "l/L layer", and
    # only as many as fit 80 columns with their labels: ? lists the others
    Action("question_mark,f1", "app.help", "help", "Keys and the scenario's description", display="?",
           footer=True),
    Action("q,ctrl+q", "app.quit", "quit", "Quit", display="q", footer=True),
    Action("n,space", "step", "step", "Next operation", display="n/N", footer=True),
    Action("N", "back", "", "Previous operation (step back, exact)"),
    Action("l", "boundary('layer', True)", "layer", "Run to the next layer boundary", display="l/L"),
    Action("L", "boundary('layer', False)", "", "Back to the previous layer boundary"),
    Action("p", "boundary('phase', True)", "phase", "Run to the next phase boundary", display="p/P", footer=True),
    Action("P", "boundary('phase', False)", "", "Back to the previous phase boundary"),
    Action("e", "boundary('iteration', True)", "iter", "Run to the end of the iteration", display="e/E",
           footer=True),
    Action("E", "boundary('iteration', False)", "", "Back to the start of the iteration"),
    Action("c", "continue_(True)", "cont", "Continue to the next breakpoint (or the end of the iteration)",
           display="c/C", footer=True),
    Action("C", "continue_(False)", "", "Reverse-continue to the previous breakpoint"),
    Action("b", "toggle_breakpoint", "break", "Toggle a breakpoint on the current operation's output"),
    Action("B", "breakpoints", "", "List breakpoints; add a condition such as 'nan' or '|delta| < 1e-6'"),
    Action("i", "iterations", "run", "Run N iterations (asks for N), stopping at a breakpoint that hits", footer=True),
    Action("j", "go_to", "", "Go to the start of iteration N (asks for N)"),
    Action("R", "restart", "", "Restart from the scenario's initial state (with what-if edits: with them or not)"),
    Action("equals_sign", "edit", "", "What if: set a weight, a bias, an input, a target or the learning rate, "
           "and recompute the run from its start"),
    Action("o", "switch", "", "What if: switch between the edited run and the original; what differs is marked"),
    Action("w", "save_edits", "", "What if: save the edits as a new scenario file (its comments kept)"),
    Action("v", "view(1)", "view", "Next view: full, presenter (for a projector), neuron (one neuron's story)",
           display="v/V", footer=True),
    Action("V", "view(-1)", "", "Previous view"),
    Action("g", "gradcheck", "", "Gradient check: backprop against finite differences"),
    Action("s", "screenshot", "", "Save a screenshot (SVG) of the screen, to a file you choose"),
    Action("up", "select(-1, 0)", "", "Select the element above"),
    Action("down", "select(1, 0)", "", "Select the element below"),
    Action("left", "select(0, -1)", "", "Select the element to the left"),
    Action("right", "select(0, 1)", "", "Select the element to the right"),
    Action("pagedown", "scroll_state(1)", "", "Scroll the state down a page (the wheel scrolls it too)"),
    Action("pageup", "scroll_state(-1)", "", "Scroll the state up a page"),
    Action("tab", "app.focus_next", "", "Focus the next scrolling panel: then the arrows scroll it"),
    Action("escape", "blur", "", "Back from a panel: the arrows select elements again"),
    Action("plus", "digits(1)", "", "Show one more significant digit"),
    Action("minus", "digits(-1)", "", "Show one fewer significant digit"),
    Action("ctrl+t", "app.toggle_dark", "", "Switch between the dark and the light theme"),
)


#: what Textual binds itself, listed here for the help screen and the palette only
TEXTUAL = ("tab",)


def bindings() -> list[BindingType]:
    return [Binding(a.keys, a.action, a.label or a.description, show=a.footer, key_display=a.display)
            for a in ACTIONS if a.keys not in TEXTUAL]


def key_text(action: Action) -> str:
    """The keys as the help screen writes them: `n / space`."""
    names = {"question_mark": "?", "space": "space", "plus": "+", "minus": "-", "equals_sign": "=",
             "up": "↑", "down": "↓", "left": "←", "right": "→",
             "pagedown": "page down", "pageup": "page up"}
    return " / ".join(names.get(k, k) for k in action.keys.split(","))
