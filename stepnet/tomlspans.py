"""Where each value of a TOML document lies in its text, so that a value can be replaced in
place and everything else — comments, spacing, the order of keys — is kept (what-if edits
saved as a new scenario, `stepnet.whatif`).

It reads what a scenario is written with: tables and arrays of tables, dotted and quoted
keys, inline tables, arrays (over several lines, with comments), strings of every kind,
numbers, booleans and dates. The text is valid TOML: it was read by `tomllib` first.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from stepnet.fields import BARE_KEY

Path = tuple[str | int, ...]

#: where a scalar (number, boolean, date) ends
_SCALAR_END = re.compile(r"[,\]}#\n\r]|\s+(?=[,\]}#\n\r]|$)")


@dataclass
class Value:
    """A value's text from `start` to `end`; an array's items, an inline table's entries; and
    whether the text holds a comment (lost if the whole value is written anew)."""

    start: int
    end: int
    items: list[Value] = field(default_factory=list)
    entries: dict[str, Value] = field(default_factory=dict)
    kind: str = "scalar"  # "scalar" | "string" | "array" | "table"
    comment: bool = False


@dataclass
class Entry:
    """A `key = value` line: where its key starts, its value, and where its line ends."""

    key: int
    value: Value
    end: int


@dataclass
class Document:
    text: str
    #: every key = value, by its full path (an array of tables' k-th table: an index)
    entries: dict[Path, Entry] = field(default_factory=dict)
    #: where each [table] or [[array of tables]] header's line ends: new keys go after it
    headers: dict[Path, int] = field(default_factory=dict)

    def find(self, path: Path) -> Value | None:
        """The value at `path`, into arrays and inline tables as needed; None if absent."""
        for cut in range(len(path), 0, -1):
            entry = self.entries.get(path[:cut])
            if entry is None:
                continue
            value: Value | None = entry.value
            for part in path[cut:]:
                if value is None:
                    return None
                if isinstance(part, int):
                    value = value.items[part] if value.kind == "array" and part < len(value.items) else None
                else:
                    value = value.entries.get(part) if value.kind == "table" else None
            return value
        return None


def read(text: str) -> Document:
    return _Reader(text).document()


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def document(self) -> Document:
        doc = Document(self.text)
        table: Path = ()
        counts: dict[Path, int] = {}
        while self._blank_lines():
            if self.text.startswith("[[", self.i):
                self.i += 2
                path = _within(self._key("]]"), counts)
                self.i += 2
                counts[path] = counts.get(path, -1) + 1
                table = (*path, counts[path])
                self._rest_of_line()
                doc.headers[table] = self.i
            elif self.text.startswith("[", self.i):
                self.i += 1
                table = _within(self._key("]"), counts)
                self.i += 1
                self._rest_of_line()
                doc.headers[table] = self.i
            else:
                start = self.i
                key = self._key("=")
                self.i += 1
                value = self._value()
                self._rest_of_line()
                doc.entries[(*table, *key)] = Entry(start, value, self.i)
        return doc

    # --- pieces -------------------------------------------------------------------------

    def _blank_lines(self) -> bool:
        """Skip blank lines and comment lines; whether there is more."""
        text = self.text
        while self.i < len(text):
            c = text[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif c == "#":
                self._comment()
            else:
                return True
        return False

    def _comment(self) -> None:
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end

    def _rest_of_line(self) -> None:
        """Past the spaces, a comment and the line's end."""
        self._spaces()
        if self.i < len(self.text) and self.text[self.i] == "#":
            self._comment()
        if self.i < len(self.text) and self.text[self.i] == "\r":
            self.i += 1
        if self.i < len(self.text) and self.text[self.i] == "\n":
            self.i += 1

    def _spaces(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t":
            self.i += 1

    def _key(self, end: str) -> tuple[str, ...]:
        """A dotted key up to `end` (not consumed)."""
        parts = []
        while True:
            self._spaces()
            if self.text[self.i] in "\"'":
                start = self.i
                self._string()
                raw = self.text[start:self.i]
                parts.append(raw[1:-1] if raw[0] == "'" else _unescape(raw[1:-1]))
            else:
                m = BARE_KEY.match(self.text, self.i)
                assert m is not None, f"a key at {self.i}"
                parts.append(m[0])
                self.i = m.end()
            self._spaces()
            if self.text.startswith(end, self.i):
                return tuple(parts)
            assert self.text[self.i] == ".", f"a dotted key at {self.i}"
            self.i += 1

    def _value(self) -> Value:
        self._spaces()
        c = self.text[self.i]
        if c == "[":
            return self._array()
        if c == "{":
            return self._table()
        if c in "\"'":
            start = self.i
            self._string()
            return Value(start, self.i, kind="string")
        m = _SCALAR_END.search(self.text, self.i)
        start, self.i = self.i, m.start() if m else len(self.text)
        return Value(start, self.i)

    def _array(self) -> Value:
        value = Value(self.i, self.i, kind="array")
        self.i += 1
        while True:
            while self.text[self.i] in " \t\r\n,#":
                if self.text[self.i] == "#":
                    value.comment = True
                    self._comment()
                else:
                    self.i += 1
            if self.text[self.i] == "]":
                self.i += 1
                value.end = self.i
                return value
            item = self._value()
            value.comment = value.comment or item.comment
            value.items.append(item)

    def _table(self) -> Value:
        value = Value(self.i, self.i, kind="table")
        self.i += 1
        while True:
            self._spaces()
            if self.text[self.i] == ",":
                self.i += 1
                continue
            if self.text[self.i] == "}":
                self.i += 1
                value.end = self.i
                return value
            key = self._key("=")
            self.i += 1
            item = self._value()
            target = value
            for part in key[:-1]:  # a dotted key inside: a table of its own
                target = target.entries.setdefault(part, Value(item.start, item.end, kind="table"))
            target.entries[key[-1]] = item

    def _string(self) -> None:
        """Past a string of any kind: basic or literal, on one line or several."""
        text, quote = self.text, self.text[self.i]
        basic = quote == '"'
        if text.startswith(quote * 3, self.i):
            j = self.i + 3
            while not text.startswith(quote * 3, j):
                j += 2 if basic and text[j] == "\\" else 1
            j += 3
            for _ in range(2):  # up to two quotes of the content may come before the delimiter's
                if j < len(text) and text[j] == quote:
                    j += 1
            self.i = j
            return
        self.i += 1
        while text[self.i] != quote:
            self.i += 2 if basic and text[self.i] == "\\" else 1
        self.i += 1


def _within(key: tuple[str, ...], counts: dict[Path, int]) -> Path:
    """A header's path: where its key passes through an array of tables (`[[a]]` then `[a.b]`
    or `[[a.b]]`), that array's current table, by its index."""
    path: Path = ()
    for part in key[:-1]:
        path = (*path, part)
        if path in counts:
            path = (*path, counts[path])
    return (*path, key[-1])


def _unescape(text: str) -> str:
    """A basic string's content (a quoted key), its escapes resolved as TOML resolves them."""
    return str(tomllib.loads(f'x = "{text}"')["x"])
