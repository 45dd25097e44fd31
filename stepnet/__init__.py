"""stepnet: a step-through debugger for neural-network backpropagation."""

__version__ = "0.1.0"
