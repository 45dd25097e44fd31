"""A document as a LaTeX article that pdflatex, lualatex and xelatex compile as it is: the
formulas as displayed maths, each computation in a fixed-width font, the tables as tabulars
(shrunk to the text's width when wider). The file is plain ASCII: every other character is
written as LaTeX (σ as $\\sigma$, pⱼ as p$_{j}$), so it needs no font with those glyphs.
"""

from __future__ import annotations

import re
import unicodedata

from stepnet.export.document import Block, Code, Document, Heading, Items, Lines, Math, Paragraph, Quote, Table, spans

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{lmodern}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage[margin=2cm]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
\sloppy
\newcommand{\fit}[1]{\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{#1}}
\newcommand{\formula}[1]{\begin{center}\fit{$\displaystyle #1$}\end{center}}
"""

#: characters written as LaTeX text or maths (maths between $ and $)
SYMBOLS = {
    "−": "$-$", "×": r"$\times$", "·": r"$\cdot$", "⊙": r"$\odot$", "∂": r"$\partial$", "′": "$'$",
    "‖": r"$\|$", "≤": r"$\le$", "≥": r"$\ge$", "≈": r"$\approx$", "≠": r"$\ne$", "←": r"$\leftarrow$",
    "→": r"$\rightarrow$", "⌊": r"$\lfloor$", "⌋": r"$\rfloor$", "√": r"$\surd$", "∞": r"$\infty$",
    "ℓ": r"$\ell$", "∑": r"$\Sigma$", "∈": r"$\in$", "✓": r"$\checkmark$", "✗": r"$\times$", "▢": r"$\square$",
    "◀": r"$\blacktriangleleft$", "½": r"$\frac{1}{2}$", "ᵀ": r"$^{\top}$", "…": r"\ldots{}", "—": "---",
    "–": "--", "¼": r"$\frac{1}{4}$", "¾": r"$\frac{3}{4}$", "“": "``", "”": "''", "‘": "`", "’": "'",
    "≡": r"$\equiv$", "✕": r"$\times$", "°": r"$^{\circ}$",
    "ß": r"\ss{}", "æ": r"\ae{}", "Æ": r"\AE{}", "ø": r"\o{}", "Ø": r"\O{}", "œ": r"\oe{}", "Œ": r"\OE{}",
    "ł": r"\l{}", "Ł": r"\L{}", "\u00a0": "~",
}
#: combining accents, as the command that puts them on a letter: é is \'{e}
ACCENTS = {"0301": "'", "0300": "`", "0302": "^", "0308": '"', "0303": "~", "0304": "=", "0306": "u", "0307": ".",
           "030a": "r", "030b": "H", "030c": "v", "0327": "c", "0328": "k"}
#: LaTeX's special characters in text
SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
           "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}",
           "|": r"\textbar{}"}
_SCRIPTS = re.compile(r"([_^])\{([^{}$]*)\}\1\{")
_GREEK = re.compile(r"GREEK (SMALL|CAPITAL) LETTER ([A-Z ]+)")
#: capital Greek letters LaTeX has a command for; the others look like Latin ones
_CAPITALS = {"GAMMA", "DELTA", "THETA", "LAMDA", "XI", "PI", "SIGMA", "UPSILON", "PHI", "PSI", "OMEGA"}


def render(document: Document) -> str:
    body = "\n\n".join(_block(b) for b in document.blocks if not isinstance(b, Code))
    return f"{PREAMBLE}\\title{{{text(document.title)}}}\n\n\\begin{{document}}\n\n{body}\n\n\\end{{document}}\n"


def _block(block: Block) -> str:
    match block:
        case Heading(1, title):
            return f"{{\\LARGE\\bfseries {inline(title)}\\par}}\\bigskip"
        case Heading(level, title):
            return f"\\{'sub' * (min(level, 4) - 2)}section*{{{inline(title)}}}"
        case Paragraph(words):
            return inline(words)
        case Items(items):
            return "\\begin{itemize}\n" + "".join(f"\\item {inline(item)}\n" for item in items) + "\\end{itemize}"
        case Quote(words):
            return f"\\begin{{quote}}\n{inline(words)}\n\\end{{quote}}"
        case Math(latex):
            return f"\\formula{{{latex}}}"
        case Lines(lines):
            written = [re.sub(r" (=|\+) ", r" \1\\allowbreak{} ", text(line)) for line in lines]
            return "{\\ttfamily\\small\\raggedright\n" + "\\\\\n".join(written) + "\\par}"
        case Table(head, rows, align):
            def row(cells: tuple[str, ...]) -> str:
                return " & ".join(inline(c) for c in cells) + r" \\ \hline"
            return (f"\\fit{{\\begin{{tabular}}{{|{'|'.join(align)}|}}\\hline\n" + row(head) + "\n"
                    + "".join(row(r) + "\n" for r in rows) + "\\end{tabular}}")
    raise TypeError(f"no LaTeX for {block!r}")


COMMANDS = {"code": "texttt", "bold": "textbf", "italic": "emph"}


def inline(words: str) -> str:
    """Text with its marks (`code`, **bold**, *italic*) as LaTeX."""
    return "".join(text(part) if mark == "text" else f"\\{COMMANDS[mark]}{{{text(part)}}}"
                   for mark, part in spans(words))


def text(words: str) -> str:
    """Plain text as LaTeX: its special characters escaped, and every character beyond
    ASCII written in LaTeX (consecutive maths joined: β₁ is $\\beta_{1}$)."""
    out: list[str] = []
    for c in words:
        accent = ACCENTS.get(f"{ord(c):04x}")
        if out and accent and unicodedata.combining(c):  # m̂: the accent on what it follows
            out[-1] = f"\\{accent}{{{out[-1]}}}"
            continue
        piece = _character(c)
        if out and piece.startswith("$") and out[-1].startswith("$"):  # both maths: one $…$
            out[-1] = out[-1][:-1] + piece[1:]
        else:
            out.append(piece)
    joined = "".join(out)
    while (fewer := _SCRIPTS.sub(r"\1{\2", joined)) != joined:  # ᵢⱼ: _{i}_{j} is _{ij}
        joined = fewer
    return joined


def _character(c: str) -> str:
    if c in SPECIAL:
        return SPECIAL[c]
    if c.isascii():
        return c
    if c in SYMBOLS:
        return SYMBOLS[c]
    name = unicodedata.name(c, "")
    if m := _GREEK.fullmatch(name):
        letter = m[2].lower().replace("lamda", "lambda").replace("final sigma", "varsigma")
        if m[1] == "CAPITAL":
            return f"$\\{letter.capitalize()}$" if m[2] in _CAPITALS else c.upper()
        return "o" if letter == "omicron" else f"$\\{letter}$"
    decomposition = unicodedata.decomposition(c)
    if decomposition.startswith(("<super>", "<sub>")):
        kind, code = decomposition.split()
        inner = _character(chr(int(code, 16))).strip("$")
        return f"${'^' if kind == '<super>' else '_'}{{{inner}}}$"
    base, _, accent = decomposition.partition(" ")
    if accent.lower() in ACCENTS and len(base) == 4:
        return f"\\{ACCENTS[accent.lower()]}{{{_character(chr(int(base, 16)))}}}"
    return f"\\texttt{{[U+{ord(c):04X}]}}"
