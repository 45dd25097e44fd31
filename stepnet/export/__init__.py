"""Worked examples to publish and hand out: a scenario's iterations, one operation or one
neuron's story (`scope`), as the worked example, an exercise with results left blank or its
answer key (`blanks`), in Markdown, a Jupyter notebook, a standalone HTML page or LaTeX
(`render`)."""

from __future__ import annotations

from stepnet.engine.debugger import Debugger
from stepnet.export.scope import Request
from stepnet.export.worked import markdown
from stepnet.scenario import Scenario

__all__ = ["FORMATS", "export", "markdown"]

#: each format, and the file extension that asks for it
FORMATS = {"markdown": ".md", "notebook": ".ipynb", "html": ".html", "latex": ".tex"}


def export(scenario: Scenario, request: Request, format: str, d: Debugger) -> str:
    """What `request` asks of `scenario`, in `format`, stepped on `d`; an ExportError if it
    cannot be written so."""
    from stepnet.export.neuron import neuron_story
    from stepnet.export.render import html, latex, notebook
    from stepnet.export.render import markdown as md
    from stepnet.export.worked import worked

    document = neuron_story(scenario, request, d) if request.scope.neuron else worked(scenario, request, d)
    renderers = {"markdown": md.render, "notebook": notebook.render, "html": html.render, "latex": latex.render}
    return renderers[format](document)
