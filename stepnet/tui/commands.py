"""The command palette: every action of the debugger screen, by its description."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from stepnet.tui.keys import ACTIONS, key_text


class DebuggerCommands(Provider):
    def _commands(self) -> list[tuple[str, str]]:
        """(text shown, action to run on the debugger screen)."""
        return [(f"{a.description}  ({key_text(a)})", a.action) for a in ACTIONS]

    async def discover(self) -> Hits:
        for text, action in self._commands():
            yield DiscoveryHit(text, partial(self.screen.run_action, action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, action in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self.screen.run_action, action), text=text)
