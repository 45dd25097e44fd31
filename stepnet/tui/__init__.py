"""The terminal debugger: a Textual app over `stepnet.engine.Debugger`; it shows, never computes."""
