"""The ``pelvis3d`` command line: a thin layer over the public API.

Every subcommand prints one readable line and exits with status 2 on bad input (no
traceback). Rendering subcommands import pyvista only when they run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from pelvis3d.errors import Pelvis3dError
from pelvis3d.kinematics import Pose

__all__ = ["main", "build_parser"]

_POSE_ARGS = (
    ("rotation", "both innominates: external (+) / internal (-) rotation, deg"),
    ("left_rotation", "left innominate external (+) / internal (-) rotation, deg"),
    ("right_rotation", "right innominate external (+) / internal (-) rotation, deg"),
    ("tilt", "both innominates: anterior (+) / posterior (-) rotation, deg"),
    ("left_tilt", "left innominate anterior (+) / posterior (-) rotation, deg"),
    ("right_tilt", "right innominate anterior (+) / posterior (-) rotation, deg"),
    ("nutation", "sacral nutation (+) / counternutation (-), deg"),
    ("pelvis_tilt", "whole pelvis anterior (+) tilt, deg"),
    ("pelvis_obliquity", "whole pelvis obliquity (+ raises the right side), deg"),
    ("pelvis_rotation", "whole pelvis rotation (+ turns the front to the left), deg"),
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def _add_pose_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pose (degrees; see 'pelvis3d list dofs')")
    for name, text in _POSE_ARGS:
        group.add_argument("--" + name.replace("_", "-"), type=float, default=None, metavar="DEG", help=text)


def _add_model_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", default=None, metavar="PATH", help="anatomy folder or pelvis.json (default: built-in pelvis)"
    )


def _pose_from(args: argparse.Namespace) -> Pose:
    given = {name: getattr(args, name) for name, _ in _POSE_ARGS if getattr(args, name, None) is not None}
    return Pose(**given)


def _load_pelvis(args: argparse.Namespace):
    from pelvis3d.model import Pelvis

    return Pelvis(getattr(args, "model", None))


def _cmd_metrics(args: argparse.Namespace) -> int:
    from pelvis3d.report import metrics_table

    pelvis = _load_pelvis(args)
    pose = _pose_from(args)
    if pose.is_neutral():
        columns = [
            ("neutral", Pose()),
            (f"ER {args.angle:g} deg", Pose(rotation=args.angle)),
            (f"IR {-args.angle:g} deg", Pose(rotation=-args.angle)),
        ]
    else:
        columns = [("pose", pose)]
    print(metrics_table(pelvis, columns, exaggeration=args.exaggerate, fmt=args.format))
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from pelvis3d.report import listing

    print(listing(args.what, _load_pelvis(args) if args.what in ("dofs", "landmarks", "surfaces") else None))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = _Parser(
        prog="pelvis3d",
        description="How the pelvis moves: poses, joint metrics, teaching images and animations.",
        epilog="Run 'pelvis3d COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__import__('pelvis3d').__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "metrics",
        help="print the joint metrics table",
        description="Print pubic gap, SI joint spaces and ASIS/PSIS distances (mm). With no pose "
        "options: neutral, external and internal rotation side by side.",
        epilog="examples:\n  pelvis3d metrics\n  pelvis3d metrics --angle 1.5\n  pelvis3d metrics --left-rotation 2 --format csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_pose_arguments(p)
    _add_model_argument(p)
    p.add_argument("--angle", type=float, default=2.0, metavar="DEG", help="rotation for the ER/IR columns (default 2)")
    p.add_argument(
        "--exaggerate", type=float, default=1.0, metavar="X", help="also report the shown (x X) pose's metrics"
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=_cmd_metrics)

    p = sub.add_parser(
        "list",
        help="list DOFs, landmarks, joint surfaces, views or motions",
        description="List the names pelvis3d accepts.",
        epilog="examples:\n  pelvis3d list dofs\n  pelvis3d list views",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("what", choices=("dofs", "landmarks", "surfaces", "views", "motions"))
    _add_model_argument(p)
    p.set_defaults(func=_cmd_list)

    for hook in _EXTRA_COMMANDS:
        hook(sub)
    return parser


#: Further subcommands register here (rendering, viewer); each adds its parser to ``sub``.
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


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
    except (Pelvis3dError, ValueError, TypeError, KeyError, OSError) as exc:
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"pelvis3d {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"pelvis3d {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
