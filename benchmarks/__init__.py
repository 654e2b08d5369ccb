"""fastjwt's benchmark suite: pytest-benchmark modules, the bars of issue 3, and ``run.py`` behind ``make bench``."""
