"""Attack suite: one test per attack case, each asserting the exact exception class."""
