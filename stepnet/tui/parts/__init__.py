"""The parts of the debugger screen: each draws its lines from the session's state; the board shows them."""
