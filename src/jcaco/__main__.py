"""``python -m jcaco``."""

import sys

from jcaco.cli import main

sys.exit(main())
