"""qa_tui: practice evaluation for children's social care, in the terminal."""

import os

# The agreement statistics (numpy, imported only when a figure is made) multiply many small
# matrices: OpenBLAS's worker threads, woken for each, cost more processor time than they
# save, on a laptop whose other core runs the terminal (a year's moderation figures at 100,000
# evaluations: 0.38 -> 0.28 s CPU, and no slower by the clock). Set before numpy is imported;
# a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
