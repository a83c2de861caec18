"""Let the jail's unprivileged uid pass through the folders above this Python (chmod o+x).

The jail runs the submission as a uid of its own, which must be able to reach the
interpreter and its site-packages. A Python under /root (pyenv) sits behind a
mode-700 folder; this grants others *passage* (o+x: no listing, no reading) through
each folder on the way, and nothing else. Run as root, once per machine.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

# Run as `python tools/open_python_for_jail.py`, before the grader is installed too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graders.sandbox.jail import python_roots


def main() -> None:
    for root in python_roots():
        for folder in [*reversed(root.parents), root]:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                folder.chmod(mode | stat.S_IXOTH)
                print(f"granted passage through {folder}")


if __name__ == "__main__":
    main()
