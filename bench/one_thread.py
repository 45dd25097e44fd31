"""Imported first by every bench, before NumPy: one BLAS thread. With the default threading
the plain-NumPy baselines themselves moved 2× from one process to the next; the commands a
bench runs in subprocesses inherit the setting."""

import os

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"
