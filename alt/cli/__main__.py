"""`python -m alt.cli ...` (used by torchrun) runs the `alt` command."""

import sys

from alt.cli.main import main

sys.exit(main())
