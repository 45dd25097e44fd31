"""`stepnet` alone: the bundled examples, a title and one line each; Enter opens the
debugger on the one selected (the app opens it over this screen)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from stepnet import bundled
from stepnet import scenario as scenario_file
from stepnet.errors import ScenarioError
from stepnet.scenario import Scenario


class PickerScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q,escape", "app.quit", "quit")]
    DEFAULT_CSS = """
    PickerScreen {
        #picker-heading { padding: 1 2; }
        #examples { height: 1fr; margin: 0 2; text-wrap: nowrap; text-overflow: ellipsis; }
    }
    """

    class Picked(Message):
        """An example was picked and loaded: the app opens the debugger on it."""

        def __init__(self, scenario: Scenario) -> None:
            super().__init__()
            self.scenario = scenario

    def compose(self) -> ComposeResult:
        yield Static("[b]stepnet[/b]: pick an example to step through — ↑/↓ to choose, Enter to open it.\n"
                     "[dim]From the shell, `stepnet NAME` opens one directly, `stepnet FILE.toml` a file "
                     "of your own; `stepnet examples` lists them.[/dim]", id="picker-heading")
        examples = bundled.examples()
        width = max(len(e.name) for e in examples)
        yield OptionList(*(Option(self._prompt(e, width), id=str(e.path)) for e in examples), id="examples")
        yield Footer()

    @staticmethod
    def _prompt(example: bundled.Example, width: int) -> Text:
        """The name that opens it from the shell and the title, then the one line."""
        return Text.assemble((f"{example.name:<{width}}  ", "dim"), (example.title, "bold"),
                             "\n", " " * (width + 2), example.summary)

    @on(OptionList.OptionSelected)
    def open_selected(self, selected: OptionList.OptionSelected) -> None:
        try:
            scenario = scenario_file.load(selected.option.id or "")
        except ScenarioError as e:  # only if the installed files were changed
            self.notify(str(e), title="Cannot open it", severity="error")
            return
        self.post_message(self.Picked(scenario))
