"""The app's command palette: Textual's, closing once (dialog.ClosesOnce), deaf once closed,
with page keys that wait until its list is laid out.

Keys typed in the instant the palette closes can still reach its input: Textual would search
for them, in a palette whose list is gone (NoMatches for `CommandList`, the end of the app:
ctrl+p, x, escape a few times in a real terminal). Once closed, the palette lets them go.

The page keys work around a bug of Textual 8.2.8 (widgets/_option_list.py,
`OptionList._move_page`): a page key that reaches the palette before its list of commands has
a height (ctrl+p and page down in the same instant, as a key storm or a fast typist sends them)
looks up the line of the highlighted command before the list has computed its lines, raises
`KeyError: 0` and ends the app. Drop `BINDINGS` and `action_page` once Textual's `_move_page`
checks for that.
"""

from __future__ import annotations

from typing import ClassVar

from textual import command, on
from textual.binding import Binding, BindingType
from textual.widgets import Input

from stepnet.tui.screens.dialog import ClosesOnce


class CommandPalette(command.CommandPalette, ClosesOnce[None]):
    # these replace Textual's bindings of the same keys, which go straight to the list
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "page(True)", "Next page", show=False),
        Binding("pageup", "page(False)", "Previous page", show=False),
    ]

    def action_page(self, down: bool) -> None:
        """The list's paging, once it has a height (until then it has no lines to page)."""
        commands = self.query_one(command.CommandList)
        if commands.scrollable_content_region:
            if down:
                commands.action_page_down()
            else:
                commands.action_page_up()

    @on(Input.Changed)
    def _typed_after_closing(self, event: Input.Changed) -> None:
        """Not for Textual's handler (a search) once the palette has closed."""
        if not self.is_active:
            event.prevent_default()
