"""``pelvis3d`` subcommands that open an app or write files for other tools: view, serve, export."""

from __future__ import annotations

import argparse
import sys

from pelvis3d.apps.cli_options import (
    add_model_argument,
    add_pose_arguments,
    load_pelvis,
    motion_from,
    parse_size,
    pose_from,
    print_credit,
)

__all__ = ["add_viewer_commands", "add_serve_command", "add_export_command"]


def _cmd_view(args: argparse.Namespace) -> int:
    from pelvis3d.apps.viewer import Viewer, display_problem

    problem = display_problem()
    if problem:  # say so before loading anything heavy
        raise _no_display(problem)
    pelvis = load_pelvis(args)
    print_credit(pelvis)
    viewer = Viewer(
        pelvis, pose=pose_from(args), view=args.view, exaggeration=args.exaggerate, size=parse_size(args.size),
        motion=motion_from(args.motion), exercise=args.exercise,
    )  # fmt: skip
    viewer.show()
    return 0


def _no_display(problem: str = "no display found for a window"):
    from pelvis3d.apps.viewer import NO_DISPLAY_ADVICE, NoDisplayError

    return NoDisplayError(f"{problem}; {NO_DISPLAY_ADVICE}")


def add_viewer_commands(sub: argparse._SubParsersAction) -> None:
    from pelvis3d.apps.viewer import HELP
    from pelvis3d.render.views import VIEWS

    p = sub.add_parser(
        "view",
        help="open the interactive desktop viewer",
        description="A window with a slider per DOF (updating while you drag), toggles for ghost, "
        "colour map and labels, view keys, play/pause, screenshots and GIF recording.\n\n" + HELP,
        epilog="examples:\n  pelvis3d view\n  pelvis3d view --rotation 1 --view rear\n  pelvis3d view --model my-pelvis.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--view", default="top", choices=list(VIEWS), help="starting view (default top)")
    p.add_argument(
        "--exaggerate",
        type=float,
        default=5.0,
        metavar="X",
        help="display factor: the bones are drawn rotated X times the true angles so millimetre "
        "motion shows; the numbers stay true (1-10, default 5)",
    )
    p.add_argument(
        "--size",
        default="1280x720",
        metavar="WxH",
        help="window size in pixels (default 1280x720: fits a 1366x768 laptop)",
    )
    p.add_argument(
        "--motion",
        default="er-ir-cycle",
        help="motion (name, .toml/.json file or OpenSim .mot/.sto) that the space key plays",
    )
    p.add_argument(
        "--exercise",
        default=None,
        choices=["clamshell", "wall-tap-hip-hinge"],
        help="show an exercise (femurs, floor/wall); space plays it",
    )
    add_pose_arguments(p)
    add_model_argument(p)
    p.set_defaults(func=_cmd_view)


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        import trame  # noqa: F401
        import trame_pyvista  # noqa: F401
    except ImportError:
        raise ValueError('the browser viewer needs trame: pip install "pelvis3d[web]"') from None
    from pelvis3d.apps.web import check_port, serve

    check_port(args.host, args.port)  # before loading the model: a taken port fails fast
    pelvis = load_pelvis(args)
    print_credit(pelvis)
    serve(
        pelvis, host=args.host, port=args.port, exaggeration=args.exaggerate, view=args.view, motion_name=args.motion,
        token=args.token, reset=args.reset, announce=lambda s: print(s, flush=True),
        warn=lambda s: print(s, file=sys.stderr, flush=True),
    )  # fmt: skip
    return 0


def add_serve_command(sub: argparse._SubParsersAction) -> None:
    from pelvis3d.render.views import VIEWS

    p = sub.add_parser(
        "serve",
        help="the presenter-mode viewer in a web browser (trame)",
        description="Presenter mode for a class: one shared pelvis that every connected page sees and "
        "drives (the teacher drives, the class watches). The pelvis renders on this machine at the "
        "presenter's page size and streams to the browsers; screenshots and GIFs download to the browser "
        "that asks, nothing is written here. Binds to 127.0.0.1 unless --host says otherwise; beyond "
        "loopback a random token is required (it is in the printed link).",
        epilog="examples:\n  pelvis3d serve\n  pelvis3d serve --port 9000 --reset\n"
        "  pelvis3d serve --host 0.0.0.0 --port 8080   # a classroom network (prints a link with a token)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    p.add_argument("--view", default="top", choices=list(VIEWS), help="starting view")
    p.add_argument(
        "--exaggerate", type=float, default=5.0, metavar="X", help="starting display factor, 1-10 (default 5)"
    )
    p.add_argument(
        "--motion", default="er-ir-cycle", help="motion (name or .toml/.json file) that the play button plays"
    )
    p.add_argument(
        "--token",
        default=None,
        help="secret every page must present (default: none on 127.0.0.1, a random one beyond it)",
    )
    p.add_argument(
        "--reset", action="store_true", help="return to the starting pose and settings whenever the last page closes"
    )
    add_model_argument(p)
    p.set_defaults(func=_cmd_serve)


def _cmd_export(args: argparse.Namespace) -> int:
    from pelvis3d.export.lesson import DEFAULT_LESSON_EXAGGERATION
    from pelvis3d.export.meshes import DEFAULT_EXPORT_EXAGGERATION, export_animation, export_meshes

    pelvis = load_pelvis(args)
    if str(args.output).lower().endswith((".html", ".htm")):
        from pelvis3d.errors import PoseError
        from pelvis3d.export.lesson import export_lesson

        if args.units is not None:
            raise PoseError("--units does not apply to a lesson page (.html): it shows millimetres")
        exaggeration = DEFAULT_LESSON_EXAGGERATION if args.exaggerate is None else args.exaggerate
        print(export_lesson(args.output, pelvis, args.motion, exaggeration=exaggeration, pose=pose_from(args)))
        print_credit(pelvis)
        return 0
    exaggeration = DEFAULT_EXPORT_EXAGGERATION if args.exaggerate is None else args.exaggerate
    if args.motion:
        units = args.units or "m"
        print(
            export_animation(
                motion_from(args.motion),
                args.output,
                fps=args.fps,
                exaggeration=exaggeration,
                units=units,
                pelvis=pelvis,
            )
        )
    else:
        units = args.units
        for path in export_meshes(pose_from(args), args.output, units=units, exaggeration=exaggeration, pelvis=pelvis):
            print(path)
    print_credit(pelvis)
    return 0


def add_export_command(sub: argparse._SubParsersAction) -> None:
    from pelvis3d.export.lesson import DEFAULT_LESSON_EXAGGERATION
    from pelvis3d.export.meshes import DEFAULT_EXPORT_EXAGGERATION
    from pelvis3d.motions.motion import MOTIONS

    p = sub.add_parser(
        "export",
        help="export posed meshes (STL/PLY/OBJ/GLB), an animated glTF of a motion, or a lesson page (.html)",
        description="Without --motion: the posed bones (one file per bone for STL/PLY/OBJ, one GLB "
        "with all three). With --motion: an animated glTF binary (.glb) with one node per bone (and "
        "leg segment for an exercise) and keyframed rotation/translation. glTF: metres, +Y up, +Z "
        "anterior; STL/PLY/OBJ: mm, pelvis frame. To a .html file: the lesson page, one "
        "self-contained file that opens offline from disk (also on a phone) with the 3D pelvis, "
        "sliders for every pelvic-ring angle, views and the live measurements; --motion adds a play "
        "button, pose options set the starting sliders.",
        epilog="examples:\n  pelvis3d export posed.stl --rotation 1 --units m\n  pelvis3d export posed.glb --left-rotation 2\n"
        "  pelvis3d export cycle.glb --motion er-ir-cycle --fps 20\n"
        "  pelvis3d export lesson.html --motion er-ir-cycle\nmotions: " + ", ".join(MOTIONS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("output", help="output .stl, .ply, .obj, .glb, or .html (lesson page)")
    p.add_argument(
        "--motion",
        default=None,
        help="a motion or exercise name, or a motion file (.toml/.json/.mot/.sto): an animated .glb, "
        "or the lesson page's play button",
    )
    p.add_argument("--units", choices=("mm", "m"), default=None, help="m for .glb, mm for STL/PLY/OBJ by default")
    p.add_argument("--fps", type=float, default=20.0, help="animation keyframes per second")
    p.add_argument(
        "--exaggerate",
        type=float,
        default=None,
        metavar="X",
        help=f"export the shown (x X) pose or motion (default {DEFAULT_EXPORT_EXAGGERATION:g}: the true one); "
        f"a lesson page's starting exaggeration (default {DEFAULT_LESSON_EXAGGERATION:g})",
    )
    add_pose_arguments(p)
    add_model_argument(p)
    p.set_defaults(func=_cmd_export)
