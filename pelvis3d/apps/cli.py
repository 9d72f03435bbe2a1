"""The ``pelvis3d`` command line: a thin layer over the public API.

Every subcommand prints one readable line and exits with status 2 on bad input (no
traceback). Rendering subcommands import pyvista only when they run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from pelvis3d.errors import Pelvis3dError, PoseError
from pelvis3d.kinematics import Pose
from pelvis3d.motions.motion import DEFAULT_AMPLITUDE_DEG, get_motion

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
    parser.add_argument("--model", default=None, metavar="PATH", help="model file (.toml/.json/.osim), anatomy folder or pelvis.json (default: built-in pelvis)")  # fmt: skip


def _pose_from(args: argparse.Namespace) -> Pose:
    given = {name: getattr(args, name) for name, _ in _POSE_ARGS if getattr(args, name, None) is not None}
    return Pose(**given)


def _motion(text: str):
    """A motion name or file; an OpenSim .mot/.sto faces forward, the ring following the hips (assumed)."""
    if str(text).lower().endswith((".mot", ".sto")):
        from pelvis3d.motions.exercises import DEFAULT_COUPLING
        from pelvis3d.motions.opensim import motion_from_opensim

        return motion_from_opensim(text, coupling=DEFAULT_COUPLING, face_forward=True)
    return get_motion(text)


def _load_pelvis(args: argparse.Namespace):
    from pelvis3d.model import Pelvis

    return Pelvis(getattr(args, "model", None))


def _cmd_metrics(args: argparse.Namespace) -> int:
    from pelvis3d.apps.report import metrics_table

    pelvis = _load_pelvis(args)
    pose = _pose_from(args)
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
        _print_credit(pelvis)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from pelvis3d.apps.report import listing

    pelvis = _load_pelvis(args) if args.what in ("dofs", "landmarks", "surfaces", "derived") else None
    print(listing(args.what, pelvis))
    if pelvis is not None:
        _print_credit(pelvis)
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
    _add_model_argument(p)
    p.set_defaults(func=_cmd_list)

    for hook in _EXTRA_COMMANDS:
        hook(sub)
    return parser


def _add_render_arguments(p: argparse.ArgumentParser, size: str, workers: bool = True) -> None:
    p.add_argument(
        "--size",
        default=None,
        metavar="WxH",
        help=f"size of the whole output in pixels (default {size}; 1920x1080 with --layout slide)",
    )
    p.add_argument(
        "--layout",
        choices=("plain", "slide"),
        default="plain",
        help="slide: 16:9, one message, text sized for a projector (>= 28 px body text at 1080p)",
    )
    p.add_argument(
        "--exaggerate",
        type=float,
        default=5.0,
        metavar="X",
        help="display factor for the joint angles (default 5; stated on the image)",
    )
    p.add_argument(
        "--overlays",
        default="all",
        metavar="LIST",
        help="all, none, or a comma list of: labels, ghost, arrows, colormap, measurements, caption, orientation",
    )
    if workers:  # one picture has nothing to share out
        p.add_argument(
            "--workers",
            type=int,
            default=None,
            metavar="N",
            help="render in N worker processes (default: one per CPU for long jobs; 1 = no workers)",
        )


def _size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        w, h = text.lower().split("x")
        return int(w), int(h)
    except ValueError:
        raise ValueError(f"--size must look like 800x600, got {text!r}") from None


def _cmd_image(args: argparse.Namespace) -> int:
    from pelvis3d.render.layouts import render_image

    pelvis = _load_pelvis(args)
    out = render_image(
        _pose_from(args), args.output, view=args.view, size=_size(args.size), exaggeration=args.exaggerate,
        overlays=args.overlays, transparent=args.transparent, orthographic=not args.perspective, title=args.title, pelvis=pelvis,
        layout=args.layout,
    )  # fmt: skip
    print(out)
    _print_credit(pelvis)
    return 0


def _cmd_figure(args: argparse.Namespace) -> int:
    from pelvis3d.render.layouts import article_panels, render_figure

    pelvis = _load_pelvis(args)
    out = render_figure(
        args.output, article_panels(args.angle), size=_size(args.size), exaggeration=args.exaggerate,
        overlays=args.overlays, title=args.title, pelvis=pelvis, workers=args.workers, layout=args.layout,
    )  # fmt: skip
    print(out)
    _print_credit(pelvis)
    return 0


def _cmd_animate(args: argparse.Namespace) -> int:
    from pelvis3d.render.layouts import render_animation

    pelvis = _load_pelvis(args)
    motion = _motion(args.motion) if args.amplitude is None else args.motion
    out = render_animation(
        motion, args.output, frames=args.frames, duration=args.duration, fps=args.fps, size=_size(args.size),
        view=args.view, exaggeration=args.exaggerate, overlays=args.overlays, orbit=args.orbit,
        amplitude=args.amplitude, pelvis=pelvis, workers=args.workers, layout=args.layout,
    )  # fmt: skip
    print(out)
    if args.metrics:
        from pelvis3d.export.timeline import plot_metrics, write_metrics_csv

        n = args.frames or max(2, int(round(get_motion(motion, args.amplitude).duration * args.fps)))
        print(write_metrics_csv(motion, out.with_suffix(".csv"), frames=n, amplitude=args.amplitude, pelvis=pelvis))
        print(
            plot_metrics(
                motion, out.with_name(out.stem + "-metrics.png"), frames=n, amplitude=args.amplitude, pelvis=pelvis
            )
        )
    _print_credit(pelvis)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from pelvis3d.apps.demo import run_demo

    pelvis = _load_pelvis(args)
    for path in run_demo(args.out, pelvis=pelvis, frames=args.frames, progress=None):
        print(path)
    print(f"pelvis3d demo: pictures, animation and metrics table written to {args.out}")
    _print_credit(pelvis)
    return 0


def _print_credit(pelvis) -> None:
    attribution = getattr(pelvis.anatomy, "attribution", "")
    if attribution and not attribution.startswith("Generated by pelvis3d"):
        print(f"credit: {attribution}")


def _add_rendering_commands(sub: argparse._SubParsersAction) -> None:
    from pelvis3d.motions.motion import MOTIONS
    from pelvis3d.render.views import VIEWS

    raw = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "image",
        help="render one pose from one view to a PNG",
        description="Render one pose (true angles, degrees) from an anatomical view to a PNG.",
        epilog="examples:\n  pelvis3d image top-er.png --view top --rotation 1\n"
        "  pelvis3d image left-er.png --left-rotation 1.5 --view oblique --exaggerate 4\n"
        "  pelvis3d image plain.png --overlays none --transparent --size 1600x1200\n"
        "  pelvis3d image er-slide.png --rotation 1 --layout slide   # also .svg / .pdf",
        formatter_class=raw,
    )
    p.add_argument("output", help="output .png (a slide: .png, .svg or .pdf)")
    p.add_argument("--view", default="top", choices=list(VIEWS))
    p.add_argument("--title", default=None, help="title text (default: view and pose; a slide: its message)")
    p.add_argument("--transparent", action="store_true", help="transparent background")
    p.add_argument("--perspective", action="store_true", help="perspective instead of parallel projection")
    _add_pose_arguments(p)
    _add_render_arguments(p, "1200x900", workers=False)
    _add_model_argument(p)
    p.set_defaults(func=_cmd_image)

    p = sub.add_parser(
        "figure",
        help="render the article's multi-panel figure to a PNG, SVG or PDF",
        description="Rear and top views of neutral, external and internal rotation in one picture. "
        "SVG and PDF keep the rendered panels as images and every word as text.",
        epilog="examples:\n  pelvis3d figure pelvis-figure.png\n  pelvis3d figure fig.png --angle 0.8 --exaggerate 6\n"
        "  pelvis3d figure fig.svg --size 1920x1080\n  pelvis3d figure er-ir-slide.pdf --layout slide",
        formatter_class=raw,
    )
    p.add_argument("output", help="output .png, .svg or .pdf")
    p.add_argument(
        "--angle",
        type=float,
        default=DEFAULT_AMPLITUDE_DEG,
        metavar="DEG",
        help=f"true rotation per side for the ER/IR panels (default {DEFAULT_AMPLITUDE_DEG:g}: physiological)",
    )
    p.add_argument("--title", default=None, help="heading above the panels")
    _add_render_arguments(p, "2400x1200")
    _add_model_argument(p)
    p.set_defaults(func=_cmd_figure)

    p = sub.add_parser(
        "animate",
        help="render a named motion to a GIF or MP4",
        description="Render a motion to a looping GIF or an MP4, streaming frames to the file.",
        epilog="examples:\n  pelvis3d animate er-ir-cycle cycle.gif\n"
        "  pelvis3d animate left-external-rotation left.mp4 --view oblique --orbit 90 --frames 120\n"
        "  pelvis3d animate er-ir-cycle cycle-slide.mp4 --layout slide\n"
        "motions: " + ", ".join(MOTIONS),
        formatter_class=raw,
    )
    p.add_argument(
        "motion",
        metavar="MOTION",
        help="a motion file (.toml/.json, or OpenSim .mot/.sto) or one of: " + ", ".join(MOTIONS),
    )
    p.add_argument("output", help="output .gif or .mp4")
    p.add_argument("--view", default="top", choices=list(VIEWS))
    p.add_argument("--frames", type=int, default=None, help="number of frames (default: one pass at --fps)")
    p.add_argument(
        "--duration", type=float, default=None, metavar="S", help="playback length in seconds (instead of --frames)"
    )
    p.add_argument("--fps", type=float, default=20.0)
    p.add_argument(
        "--orbit", type=float, default=0.0, metavar="DEG", help="turn the camera this much about the vertical"
    )
    p.add_argument(
        "--amplitude", type=float, default=None, metavar="DEG", help="peak true rotation per side (default 1)"
    )
    p.add_argument(
        "--metrics",
        action="store_true",
        help="also write the metrics over time (CSV) and a plot (PNG) beside the output",
    )
    _add_render_arguments(p, "800x600")
    _add_model_argument(p)
    p.set_defaults(func=_cmd_animate)

    p = sub.add_parser(
        "demo",
        help="write the teaching set (figure, views, ER-IR GIF, metrics table) into a folder",
        description="The main job: the article's figure set, an external-internal rotation GIF and the "
        "metrics table, written into one folder.",
        epilog="examples:\n  pelvis3d demo\n  pelvis3d demo --out slides/pelvis",
        formatter_class=raw,
    )
    p.add_argument("--out", default="pelvis3d-demo", help="output folder (default ./pelvis3d-demo)")
    p.add_argument("--frames", type=int, default=60, help="frames in the GIF (default 60)")
    _add_model_argument(p)
    p.set_defaults(func=_cmd_demo)


def _cmd_view(args: argparse.Namespace) -> int:
    from pelvis3d.apps.viewer import Viewer, display_problem

    problem = display_problem()
    if problem:  # say so before loading anything heavy
        raise _no_display(problem)
    pelvis = _load_pelvis(args)
    _print_credit(pelvis)
    viewer = Viewer(
        pelvis, pose=_pose_from(args), view=args.view, exaggeration=args.exaggerate, size=_size(args.size),
        motion=_motion(args.motion), exercise=args.exercise,
    )  # fmt: skip
    viewer.show()
    return 0


def _no_display(problem: str = "no display found for a window"):
    from pelvis3d.apps.viewer import NO_DISPLAY_ADVICE, NoDisplayError

    return NoDisplayError(f"{problem}; {NO_DISPLAY_ADVICE}")


def _add_viewer_commands(sub: argparse._SubParsersAction) -> None:
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
    _add_pose_arguments(p)
    _add_model_argument(p)
    p.set_defaults(func=_cmd_view)


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        import trame  # noqa: F401
        import trame_pyvista  # noqa: F401
    except ImportError:
        raise ValueError('the browser viewer needs trame: pip install "pelvis3d[web]"') from None
    from pelvis3d.apps.web import check_port, serve

    check_port(args.host, args.port)  # before loading the model: a taken port fails fast
    pelvis = _load_pelvis(args)
    _print_credit(pelvis)
    serve(
        pelvis, host=args.host, port=args.port, exaggeration=args.exaggerate, view=args.view, motion_name=args.motion,
        token=args.token, reset=args.reset, announce=lambda s: print(s, flush=True),
        warn=lambda s: print(s, file=sys.stderr, flush=True),
    )  # fmt: skip
    return 0


def _add_serve_command(sub: argparse._SubParsersAction) -> None:
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
    _add_model_argument(p)
    p.set_defaults(func=_cmd_serve)


def _cmd_export(args: argparse.Namespace) -> int:
    from pelvis3d.export.lesson import DEFAULT_LESSON_EXAGGERATION
    from pelvis3d.export.meshes import DEFAULT_EXPORT_EXAGGERATION, export_animation, export_meshes

    pelvis = _load_pelvis(args)
    if str(args.output).lower().endswith((".html", ".htm")):
        from pelvis3d.errors import PoseError
        from pelvis3d.export.lesson import export_lesson

        if args.units is not None:
            raise PoseError("--units does not apply to a lesson page (.html): it shows millimetres")
        exaggeration = DEFAULT_LESSON_EXAGGERATION if args.exaggerate is None else args.exaggerate
        print(export_lesson(args.output, pelvis, args.motion, exaggeration=exaggeration, pose=_pose_from(args)))
        _print_credit(pelvis)
        return 0
    exaggeration = DEFAULT_EXPORT_EXAGGERATION if args.exaggerate is None else args.exaggerate
    if args.motion:
        units = args.units or "m"
        print(
            export_animation(
                _motion(args.motion),
                args.output,
                fps=args.fps,
                exaggeration=exaggeration,
                units=units,
                pelvis=pelvis,
            )
        )
    else:
        units = args.units
        for path in export_meshes(_pose_from(args), args.output, units=units, exaggeration=exaggeration, pelvis=pelvis):
            print(path)
    _print_credit(pelvis)
    return 0


def _add_export_command(sub: argparse._SubParsersAction) -> None:
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
    _add_pose_arguments(p)
    _add_model_argument(p)
    p.set_defaults(func=_cmd_export)


def _cmd_exercise(args: argparse.Namespace) -> int:
    from pelvis3d.render.exercise import render_exercise, render_exercise_figure

    pelvis = _load_pelvis(args)
    if str(args.output).lower().endswith(".png"):
        out = render_exercise_figure(
            args.name,
            args.output,
            panel_size=_size(args.size),
            exaggeration=args.exaggerate,
            coupling=args.coupling,
            pelvis=pelvis,
        )
    else:
        out = render_exercise(
            args.name, args.output, frames=args.frames, fps=args.fps, size=_size(args.size), view=args.view,
            exaggeration=args.exaggerate, coupling=args.coupling, pelvis=pelvis,
        )  # fmt: skip
    print(out)
    _print_credit(pelvis)
    return 0


def _add_exercise_command(sub: argparse._SubParsersAction) -> None:
    from pelvis3d.motions.exercises import EXERCISES
    from pelvis3d.render.exercise import EXERCISE_VIEWS

    p = sub.add_parser(
        "exercise",
        help="the article's exercises on a mannequin: an animation or the article's viewpoints",
        description="Extreme Clamshell (prone, left) or Wall Tap Hip Hinge (right stance) on a simple "
        "mannequin with simplified femurs, on a floor or against a wall, with a pelvis inset (top view, "
        "true and shown numbers) and the phase caption. A .gif/.mp4 output animates the exercise; a .png "
        "output shows the start and key positions from the article's viewpoints. NAME may also be an "
        "exercise file (.toml/.json motion with a 'support').",
        epilog="examples:\n  pelvis3d exercise clamshell clamshell.gif\n  pelvis3d exercise wall-tap-hip-hinge hinge.png\n"
        "  pelvis3d exercise clamshell clam.gif --coupling 0.05\nexercises: " + ", ".join(EXERCISES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", help="exercise: " + ", ".join(EXERCISES) + ", or an exercise file")
    p.add_argument("output", help="output .gif, .mp4 or .png (figure)")
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--fps", type=float, default=20.0)
    p.add_argument("--view", default="side", choices=list(EXERCISE_VIEWS), help="room camera for animations")
    p.add_argument(
        "--coupling",
        type=float,
        default=None,
        help="innominate rotation per degree of hip rotation (assumed; default 0.03)",
    )
    p.add_argument("--size", default="800x600", metavar="WxH")
    p.add_argument("--exaggerate", type=float, default=5.0, metavar="X")
    _add_model_argument(p)
    p.set_defaults(func=_cmd_exercise)


def _cmd_run(args: argparse.Namespace) -> int:
    from pelvis3d.render.runner import render_runner

    pelvis = _load_pelvis(args)
    print(render_runner(
        args.motion, args.output, fps=args.fps, frames=args.frames, size=_size(args.size), view=args.view,
        span=args.span, azimuth=args.azimuth, exaggeration=args.exaggerate, coupling=args.coupling, pelvis=pelvis,
    ))  # fmt: skip
    _print_credit(pelvis)
    return 0


def _add_run_command(sub: argparse._SubParsersAction) -> None:
    from pelvis3d.motions.exercises import DEFAULT_COUPLING
    from pelvis3d.render.views import VIEWS

    p = sub.add_parser(
        "run", help="a runner's view of an OpenSim motion: body, pelvic ring from above, time plot",
        description="Render a measured trial (OpenSim .mot/.sto) as the body running on the spot with the pelvis in "
        "its measured posture, the pelvic ring from above, and a time plot of pelvis tilt, list, rotation and hip "
        "rotation with a moving cursor. The ring's ER/IR follows the hips by --coupling (assumed; said on every "
        "frame). A .png output is the mid-trial frame.",
        epilog="examples:\n  pelvis3d run trial.mot run.mp4\n  pelvis3d run trial.mot run.gif --fps 15\n"
        "  pelvis3d run trial.mot frame.png --model model.osim", formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    p.add_argument("motion", help="an OpenSim motion (.mot/.sto) or a motion file / name")
    p.add_argument("output", help="output .mp4, .gif or .png (one frame)")
    p.add_argument("--fps", type=float, default=30.0, help="frames per second (default 30: real time)")
    p.add_argument("--frames", type=int, default=None, help="number of frames (default: the trial at --fps)")
    p.add_argument("--span", type=float, nargs=2, default=None, metavar=("START", "END"), help="only this part (s from the trial's start)")  # fmt: skip
    p.add_argument("--size", default="640x480", metavar="WxH")
    p.add_argument("--view", default="right", choices=list(VIEWS), help="camera of the body (default right)")
    p.add_argument("--azimuth", type=float, default=30.0, metavar="DEG", help="turn that camera about the vertical")
    p.add_argument("--exaggerate", type=float, default=5.0, metavar="X", help="display factor of the ring")
    p.add_argument("--coupling", type=float, default=DEFAULT_COUPLING, help=f"innominate rotation per degree of hip rotation (assumed; default {DEFAULT_COUPLING:g})")  # fmt: skip
    _add_model_argument(p)
    p.set_defaults(func=_cmd_run)


#: Further subcommands register here (rendering, viewer); each adds its parser to ``sub``.
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_rendering_commands,
    _add_viewer_commands,
    _add_serve_command,
    _add_export_command,
    _add_exercise_command,
    _add_run_command,
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
