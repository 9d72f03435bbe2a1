"""``python -m pelvis3d`` runs the command line."""

from pelvis3d.cli import main

raise SystemExit(main())
