"""`stepnet FILE`: the app opens the debugger screen on a loaded scenario; `stepnet` alone, on
one picked from the bundled examples."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.theme import ThemeProvider

from stepnet.files import why_not_written
from stepnet.scenario import Scenario
from stepnet.tui import palette, settings
from stepnet.tui.commands import DebuggerCommands
from stepnet.tui.screens.command_palette import CommandPalette
from stepnet.tui.screens.debugger import DebuggerScreen
from stepnet.tui.screens.picker import PickerScreen
from stepnet.tui.session import Session

if TYPE_CHECKING:
    from stepnet.engine.comparison import Comparison  # only a --compare run makes one


class StepnetApp(App[None]):
    CSS_PATH = "stepnet.tcss"
    COMMANDS = App.COMMANDS | {DebuggerCommands}
    TITLE = "stepnet"

    def __init__(self, scenario: Scenario | None = None, theme: str | None = None, view: str = "full",
                 iteration: int | None = None, comparison: Comparison | None = None, trace: str = "") -> None:
        """`theme` for this run; without it, the one last chosen in the app. `view`: the view
        it opens in (views.VIEWS); `iteration`: the iteration at whose start it opens;
        `comparison`: an implementation's values (from the file named `trace`) to show beside
        stepnet's."""
        self.view, self.iteration, self.comparison, self.trace = view, iteration, comparison, trace
        self._remembers = False  # a theme set once the app runs is the user's choice
        super().__init__()
        offered = settings.themes()
        for name in list(self.available_themes):
            if name not in offered:
                self.unregister_theme(name)
        remembered = settings.load().get("theme")
        chosen = theme or (remembered if remembered in offered else None)
        if chosen:
            self.theme = chosen
        self.picking = scenario is None  # `stepnet` alone: the examples, to pick one
        if scenario is not None:
            self._debug(scenario)

    def _debug(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.session = Session(scenario, view=self.view, comparison=self.comparison, trace=self.trace)
        self.sub_title = scenario.title

    def get_default_screen(self) -> Screen:
        return PickerScreen() if self.picking else DebuggerScreen(self.session, self.iteration)

    def on_picker_screen_picked(self, picked: PickerScreen.Picked) -> None:
        """The debugger on the example picked, over the picker."""
        self.picking = False
        self._debug(picked.scenario)
        self.push_screen(self.get_default_screen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Help explains the keys and the scenario: there is none on the picker."""
        return not (self.picking and action == "help")

    def on_mount(self) -> None:
        self._remembers = True

    def watch_theme(self, theme: str) -> None:
        if self._remembers:
            try:
                settings.save(theme=theme)
            except OSError as error:  # a read-only home: the theme holds for this run
                self.notify(f"The theme is not remembered: {why_not_written(settings.path(), error)}",
                            severity="warning", timeout=5)

    def get_css_variables(self) -> dict[str, str]:
        """Textual's, and the highlight colours legible in the current theme (palette.py)."""
        variables = super().get_css_variables()
        variables.update(palette.variables(variables))
        self.theme_variables = variables
        return variables

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands but its Quit, Keys and Screenshot: the palette lists the
        debugger's quit, its help screen (which explains every key: Textual's key panel lists
        the bindings bare), and its screenshot, which asks where to save."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys", "Screenshot"):
                yield command

    def action_command_palette(self) -> None:
        """Textual's, with the palette that survives a page key as it opens (command_palette.py)."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        """Textual's theme picker (the palette's Theme), in the same palette."""
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Search for themes…"))

    def action_help(self) -> None:
        # imported here: its Markdown widget brings markdown-it, ~40 ms not needed to start
        from stepnet.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.scenario.title, self.scenario.description))
