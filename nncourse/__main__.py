"""``python -m nncourse ...`` runs the ``nncourse`` command (see :mod:`nncourse.cli`)."""

import sys

from nncourse.cli import main

sys.exit(main())
