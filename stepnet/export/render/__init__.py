"""A document in each format stepnet exports: Markdown, a Jupyter notebook, HTML, LaTeX."""
