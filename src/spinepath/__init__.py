"""spinepath: run a minimally invasive spine surgery programme end to end."""

__version__ = "0.1.0"
