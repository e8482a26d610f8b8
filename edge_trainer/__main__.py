"""Entry point for ``python -m edge_trainer``."""

from edge_trainer.cli import main

raise SystemExit(main())
