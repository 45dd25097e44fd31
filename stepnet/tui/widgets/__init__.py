"""The debugger screen's parts; each is given what to show and posts messages up."""
