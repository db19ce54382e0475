"""Entry point: ``python benchmarks/run.py [--postgres URL] [--n N]`` (or ``python -m benchmarks.run``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.suite import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
