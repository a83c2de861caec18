"""`python -m graders check FILE`: the CLI without installing (as in a student kit's folder)."""

from graders.cli import run

run()
