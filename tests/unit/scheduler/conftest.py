"""Make the checkout importable when pytest is run as ``.venv/bin/pytest`` (the project is not installed)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
