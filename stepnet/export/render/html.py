"""A document as one standalone HTML page. Each formula is written in the page as LaTeX
between `$$` and `$$`, readable as it is; KaTeX, loaded from its usual CDN (pinned, with
subresource integrity), typesets it in place. Offline, the page stays whole: the LaTeX shows,
with a line saying why, which typesetting hides.
"""

from __future__ import annotations

import html

from stepnet.export.document import Block, Code, Document, Heading, Items, Lines, Math, Paragraph, Quote, Table, spans

KATEX_VERSION = "0.16.22"
CDN = f"https://cdn.jsdelivr.net/npm/katex@{KATEX_VERSION}/dist/"
#: the files the page loads, with their sha384 (the CDN serves the npm package's files as they are)
INTEGRITY = {
    "katex.min.css": "sha384-5TcZemv2l/9On385z///+d7MSYlvIEw9FuZTIdZ14vJLqWphw7e7ZPuOiCHJcFCP",
    "katex.min.js": "sha384-cMkvdD8LoxVzGF/RPUKAcvmm49FQ0oxwDF3BGKtDXcEc+T1b2N+teh/OJfpU0jr6",
}

STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 62rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; background: #fff; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; } h4 { margin-bottom: .3rem; }
table { border-collapse: collapse; margin: .6rem 0; }
th, td { border: 1px solid #ccc; padding: .15rem .5rem; }
th { background: #f3f3f3; } .r { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; padding: .6rem .8rem; overflow-x: auto; }
blockquote { margin: .8rem 0; padding: .2rem .9rem; border-left: 4px solid #9ab; background: #f5f8fa; }
.math { margin: .8rem 0; overflow-x: auto; font-family: ui-monospace, monospace; }
.offline { padding: .4rem .8rem; background: #fff6d6; border: 1px solid #e0c060; }
.typeset .offline { display: none; }
.typeset .math { font-family: inherit; }
"""

#: typesets each formula in place: the text between the delimiters, as display maths
SCRIPT = """
function typeset() {
  for (const e of document.querySelectorAll(".math")) {
    katex.render(e.textContent.trim().slice(2, -2), e, {displayMode: true, throwOnError: false});
  }
  document.documentElement.classList.add("typeset");
}
"""


def render(document: Document) -> str:
    links = (f'<link rel="stylesheet" href="{CDN}katex.min.css" integrity="{INTEGRITY["katex.min.css"]}" '
             'crossorigin="anonymous">\n'
             f'<script defer src="{CDN}katex.min.js" integrity="{INTEGRITY["katex.min.js"]}" '
             'crossorigin="anonymous" onload="typeset()"></script>')
    body = "\n".join(_block(b) for b in document.blocks if not isinstance(b, Code))
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(_plain(document.title))}</title>\n{links}\n<script>{SCRIPT}</script>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n"
            '<p class="offline">The formulas are written in LaTeX. Online, KaTeX typesets them.</p>\n'
            f"{body}\n</body>\n</html>\n")


def _block(block: Block) -> str:
    match block:
        case Heading(level, text):
            return f"<h{level}>{inline(text)}</h{level}>"
        case Paragraph(text):
            return f"<p>{inline(text)}</p>"
        case Items(items):
            return "<ul>\n" + "".join(f"<li>{inline(item)}</li>\n" for item in items) + "</ul>"
        case Quote(text):
            return f"<blockquote>{inline(text)}</blockquote>"
        case Math(latex):
            return f'<div class="math">$${html.escape(latex, quote=False)}$$</div>'
        case Lines(lines):
            return "<pre>" + html.escape("\n".join(lines), quote=False) + "</pre>"
        case Table(head, rows, align):
            def row(cells: tuple[str, ...], tag: str) -> str:
                return "<tr>" + "".join(f'<{tag}{" class=r" if a == "r" else ""}>{inline(c)}</{tag}>'
                                        for c, a in zip(cells, align)) + "</tr>\n"
            return "<table>\n" + row(head, "th") + "".join(row(r, "td") for r in rows) + "</table>"
    raise TypeError(f"no HTML for {block!r}")


TAGS = {"code": "code", "bold": "strong", "italic": "em"}


def inline(text: str) -> str:
    """Text with its marks (`code`, **bold**, *italic*) as HTML, everything else escaped."""
    return "".join(html.escape(part, quote=False) if mark == "text"
                   else f"<{TAGS[mark]}>{html.escape(part, quote=False)}</{TAGS[mark]}>" for mark, part in spans(text))


def _plain(text: str) -> str:
    return "".join(part for _, part in spans(text))
