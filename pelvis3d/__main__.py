"""``python -m pelvis3d`` runs the command line."""

from pelvis3d.apps.cli import main

raise SystemExit(main())
