"""The debugger screen's widgets: the board that shows the parts, and the key bar."""
