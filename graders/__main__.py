"""`python -m graders check FILE`: the CLI without installing (as in a student kit's folder)."""

import sys

from graders.cli import main

sys.exit(main())
