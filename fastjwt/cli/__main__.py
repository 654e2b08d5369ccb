"""``python -m fastjwt.cli``: the same command-line tool as ``python -m fastjwt``."""

import sys

from . import main

sys.exit(main())
