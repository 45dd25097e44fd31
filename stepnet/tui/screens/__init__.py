"""The debugger screen and the screens it opens."""
