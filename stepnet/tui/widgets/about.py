"""What the scenario is about: its title, its description (which says what to look at) and
its source, on the main screen from the first key on."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from stepnet.tui.session import Session

#: the Markdown a description uses inline: **bold** and `code`
INLINE = re.compile(r"\*\*(.+?)\*\*|`([^`]+)`")


def inline(text: str) -> Content:
    """A line of Markdown with its **bold** and `code` styled, the marks taken out."""
    parts: list[str | tuple[str, str]] = []
    end = 0
    for match in INLINE.finditer(text):
        parts.append(text[end:match.start()])
        bold, code = match.groups()
        parts.append((bold, "bold") if bold is not None else (code, ".about--code"))
        end = match.end()
    parts.append(text[end:])
    return Content.assemble(*parts)


def paragraphs(markdown: str) -> list[Content]:
    """A description's paragraphs and list items as lines to wrap, its indented blocks
    (formulas) as they are, a blank line between paragraphs."""
    lines: list[Content] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        rows = block.splitlines()
        if all(row.startswith("    ") for row in rows):  # a code block: its lines as written
            lines += [Content(row[2:]) for row in rows]
        else:  # a paragraph, or list items, each of which starts a line
            items: list[str] = []
            for row in rows:
                if row.lstrip().startswith(("- ", "* ")) or not items:
                    items.append(row.strip())
                else:
                    items[-1] += " " + row.strip()
            lines += [inline(item) for item in items]
        lines.append(Content(""))
    return lines[:-1]


class About(VerticalScroll):
    """The title, then the description; the source on the frame. Scrolls with the wheel, or
    with the keys once Tab has focused it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"about--title", "about--source", "about--code"}

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session

    def on_mount(self) -> None:
        self.border_title = "about"
        source = self.session.scenario.source
        if source:  # on the frame, below: the description comes first
            self.border_subtitle = Content(f"source: {source}")

    def compose(self) -> ComposeResult:
        s = self.session.scenario
        lines = [Content.styled(s.title, ".about--title")]
        if s.description:
            lines += paragraphs(s.description)
        if s.source:  # whole, at the end: the frame cuts it short where it is long
            lines += [Content(""), Content.styled(f"source: {s.source}", ".about--source")]
        self._content = Content("\n").join(lines)
        yield Static(self._content, classes="lines")

    @property
    def text(self) -> str:
        return self._content.plain
