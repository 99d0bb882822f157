"""``python -m pipeline_games`` runs the command-line interface."""

import sys

from .cli import main

sys.exit(main())
