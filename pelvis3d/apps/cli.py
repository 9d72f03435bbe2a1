"""The ``pelvis3d`` command line: a thin layer over the public API.

Every subcommand prints one readable line and exits with status 2 on bad input (no
traceback). Rendering subcommands import pyvista only when they run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from pelvis3d.apps.cli_apps import add_export_command, add_serve_command, add_viewer_commands
from pelvis3d.apps.cli_options import (
    OneLineParser,
    add_model_argument,
    add_pose_arguments,
    load_pelvis,
    pose_from,
    print_credit,
)
from pelvis3d.apps.cli_pictures import add_exercise_command, add_rendering_commands, add_run_command
from pelvis3d.errors import Pelvis3dError, PoseError
from pelvis3d.kinematics import Pose
from pelvis3d.motions.motion import DEFAULT_AMPLITUDE_DEG

__all__ = ["main", "build_parser"]


def _cmd_metrics(args: argparse.Namespace) -> int:
    from pelvis3d.apps.report import metrics_table

    pelvis = load_pelvis(args)
    pose = pose_from(args)
    if pose.is_neutral():
        if not args.angle > 0:  # the columns are named ER and IR: the angle is their size
            raise PoseError(
                f"--angle is the size of the ER and IR rotations: give a positive number, got {args.angle:g}"
            )
        columns = [
            ("neutral", Pose()),
            (f"ER {args.angle:g} deg", Pose(rotation=args.angle)),
            (f"IR {-args.angle:g} deg", Pose(rotation=-args.angle)),
        ]
    else:
        columns = [("pose", pose)]
    print(metrics_table(pelvis, columns, exaggeration=args.exaggerate, fmt=args.format))
    if args.format != "table":
        print_credit(pelvis)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from pelvis3d.apps.report import listing

    pelvis = load_pelvis(args) if args.what in ("dofs", "landmarks", "surfaces", "derived") else None
    print(listing(args.what, pelvis))
    if pelvis is not None:
        print_credit(pelvis)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = OneLineParser(
        prog="pelvis3d",
        description="How the pelvis moves: poses, joint metrics, teaching images and animations.",
        epilog="Run 'pelvis3d COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__import__('pelvis3d').__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)

    p = sub.add_parser(
        "metrics",
        help="print the joint metrics table",
        description="Print pubic gap, SI joint spaces and ASIS/PSIS distances (mm). With no pose "
        "options: neutral, external and internal rotation side by side.",
        epilog="examples:\n  pelvis3d metrics\n  pelvis3d metrics --angle 1.5\n  pelvis3d metrics --left-rotation 2 --format csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_pose_arguments(p)
    add_model_argument(p)
    p.add_argument(
        "--angle",
        type=float,
        default=DEFAULT_AMPLITUDE_DEG,
        metavar="DEG",
        help=f"rotation per side for the ER/IR columns (default {DEFAULT_AMPLITUDE_DEG:g}: physiological)",
    )
    p.add_argument(
        "--exaggerate", type=float, default=1.0, metavar="X", help="also report the shown (x X) pose's metrics"
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=_cmd_metrics)

    p = sub.add_parser(
        "list",
        help="list DOFs, landmarks, joint surfaces, views or motions",
        description="List the names pelvis3d accepts.",
        epilog="examples:\n  pelvis3d list dofs\n  pelvis3d list views\n  pelvis3d list derived --model my-pelvis.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("what", choices=("dofs", "landmarks", "surfaces", "derived", "views", "motions"))
    add_model_argument(p)
    p.set_defaults(func=_cmd_list)

    for hook in _EXTRA_COMMANDS:
        hook(sub)
    return parser


#: Further subcommands register here (rendering, viewer); each adds its parser to ``sub``.
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_rendering_commands,
    add_viewer_commands,
    add_serve_command,
    add_export_command,
    add_exercise_command,
    add_run_command,
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    import warnings

    def one_line_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
        print(f"pelvis3d {args.command}: warning: {message}", file=sys.stderr)

    warnings.showwarning = one_line_warning
    try:
        return int(args.func(args) or 0)
    except (Pelvis3dError, ValueError, TypeError, KeyError, OSError, RuntimeError) as exc:
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"pelvis3d {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"pelvis3d {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
