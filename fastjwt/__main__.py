"""``python -m fastjwt``: the command-line tool (see ``fastjwt --help``)."""

import sys

from .cli import main

sys.exit(main())
