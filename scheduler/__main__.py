"""Run the scheduler from the command line: ``python -m scheduler solve|plan``."""

import sys

from scheduler.cli import main

sys.exit(main())
