"""The engine: NumPy backpropagation as a list of operations, and a machine to step through it.

It knows nothing of screens; `stepnet.cli` and `stepnet.tui` are views over it.
"""

from stepnet.engine.debugger import Debugger, Fault
from stepnet.engine.model import Dataset, Layer, Model, Optimizer
from stepnet.engine.names import Name
from stepnet.engine.op import Op
from stepnet.engine.program import Program, build_program

__all__ = ["Dataset", "Debugger", "Fault", "Layer", "Model", "Name", "Op", "Optimizer", "Program", "build_program"]
