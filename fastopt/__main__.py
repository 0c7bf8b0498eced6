"""``python -m fastopt``: the same as the ``fastopt`` command."""

from fastopt.cli import main

raise SystemExit(main())
