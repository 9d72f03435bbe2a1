"""``pelvis3d`` subcommands that make pictures: image, figure, animate, demo, exercise, run."""

from __future__ import annotations

import argparse

from pelvis3d.apps.cli_options import (
    add_allow_overlap_argument,
    add_model_argument,
    add_pose_arguments,
    add_render_arguments,
    load_pelvis,
    motion_from,
    parse_size,
    pose_from,
    print_credit,
)
from pelvis3d.motions.motion import DEFAULT_AMPLITUDE_DEG, get_motion

__all__ = ["add_rendering_commands", "add_exercise_command", "add_run_command"]


def _cmd_image(args: argparse.Namespace) -> int:
    from pelvis3d.render.layouts import render_image

    pelvis = load_pelvis(args)
    out = render_image(
        pose_from(args), args.output, view=args.view, size=parse_size(args.size), exaggeration=args.exaggerate,
        overlays=args.overlays, transparent=args.transparent, orthographic=not args.perspective, title=args.title, pelvis=pelvis,
        layout=args.layout, allow_overlap=args.allow_overlap,
    )  # fmt: skip
    print(out)
    print_credit(pelvis)
    return 0


def _cmd_figure(args: argparse.Namespace) -> int:
    from pelvis3d.render.layouts import article_panels, render_figure

    pelvis = load_pelvis(args)
    out = render_figure(
        args.output, article_panels(args.angle), size=parse_size(args.size), exaggeration=args.exaggerate,
        overlays=args.overlays, title=args.title, pelvis=pelvis, workers=args.workers, layout=args.layout,
        allow_overlap=args.allow_overlap,
    )  # fmt: skip
    print(out)
    print_credit(pelvis)
    return 0


def _cmd_animate(args: argparse.Namespace) -> int:
    from pelvis3d.render.layouts import render_animation

    pelvis = load_pelvis(args)
    motion = motion_from(args.motion) if args.amplitude is None else args.motion
    out = render_animation(
        motion, args.output, frames=args.frames, duration=args.duration, fps=args.fps, size=parse_size(args.size),
        view=args.view, exaggeration=args.exaggerate, overlays=args.overlays, orbit=args.orbit,
        amplitude=args.amplitude, pelvis=pelvis, workers=args.workers, layout=args.layout,
        allow_overlap=args.allow_overlap,
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
    print_credit(pelvis)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from pelvis3d.apps.demo import run_demo

    pelvis = load_pelvis(args)
    for path in run_demo(args.out, pelvis=pelvis, frames=args.frames, progress=None, allow_overlap=args.allow_overlap):
        print(path)
    print(f"pelvis3d demo: pictures, animation and metrics table written to {args.out}")
    print_credit(pelvis)
    return 0


def add_rendering_commands(sub: argparse._SubParsersAction) -> None:
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
    add_pose_arguments(p)
    add_render_arguments(p, "1200x900", workers=False)
    add_model_argument(p)
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
    add_render_arguments(p, "2400x1200")
    add_model_argument(p)
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
    add_render_arguments(p, "800x600")
    add_model_argument(p)
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
    add_allow_overlap_argument(p)
    add_model_argument(p)
    p.set_defaults(func=_cmd_demo)


def _cmd_exercise(args: argparse.Namespace) -> int:
    from pelvis3d.render.exercise import render_exercise, render_exercise_figure

    pelvis = load_pelvis(args)
    if str(args.output).lower().endswith(".png"):
        out = render_exercise_figure(
            args.name,
            args.output,
            panel_size=parse_size(args.size),
            exaggeration=args.exaggerate,
            coupling=args.coupling,
            pelvis=pelvis,
        )
    else:
        out = render_exercise(
            args.name, args.output, frames=args.frames, fps=args.fps, size=parse_size(args.size), view=args.view,
            exaggeration=args.exaggerate, coupling=args.coupling, pelvis=pelvis,
        )  # fmt: skip
    print(out)
    print_credit(pelvis)
    return 0


def add_exercise_command(sub: argparse._SubParsersAction) -> None:
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
    add_model_argument(p)
    p.set_defaults(func=_cmd_exercise)


def _cmd_run(args: argparse.Namespace) -> int:
    from pelvis3d.render.runner import render_runner

    pelvis = load_pelvis(args)
    print(render_runner(
        args.motion, args.output, fps=args.fps, frames=args.frames, size=parse_size(args.size), view=args.view,
        span=args.span, azimuth=args.azimuth, exaggeration=args.exaggerate, coupling=args.coupling, pelvis=pelvis,
    ))  # fmt: skip
    print_credit(pelvis)
    return 0


def add_run_command(sub: argparse._SubParsersAction) -> None:
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
    add_model_argument(p)
    p.set_defaults(func=_cmd_run)
