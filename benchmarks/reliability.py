"""Reliability count: many bad inputs and faults across the API, the command line, model files,
motion files and outputs, each classified by what pelvis3d did with it.

    python benchmarks/reliability.py          # prints one line per failure and the totals
    python benchmarks/reliability.py -v       # one line per input

Every input here is one pelvis3d must refuse (or, for the few marked "round trip", one it must
get right). Outcomes:

* clear error - a pelvis3d error (API) or a non-zero exit with one line on stderr (CLI), and
  nothing written under the output name;
* traceback - any other exception, a multi-line or empty message, or a CLI traceback;
* silent wrong result - accepted (or a wrong answer, or a file left behind) where it should
  have been refused.

Tracebacks and silent wrong results must both be 0.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import numpy as np  # noqa: E402
import trimesh  # noqa: E402

import pelvis3d  # noqa: E402
from pelvis3d import Pose  # noqa: E402
from pelvis3d.apps.cli import main  # noqa: E402
from pelvis3d.errors import Pelvis3dError  # noqa: E402
from pelvis3d.kinematics import axis_angle_transform  # noqa: E402
from pelvis3d.render.exercise import render_exercise  # noqa: E402

VERBOSE = "-v" in sys.argv
warnings.simplefilter("ignore")  # warnings are not what is counted
RESULTS: dict[str, list[str]] = {"clear error": [], "traceback": [], "silent wrong result": [], "right result": []}


def record(kind: str, label: str, detail: str = "") -> None:
    RESULTS[kind].append(label)
    if VERBOSE or kind in ("traceback", "silent wrong result"):
        print(f"{kind:20s} {label}{': ' + detail if detail else ''}")


def files_in(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


def refuse_api(label: str, call: Callable[[], object], folder: Path | None = None) -> None:
    """``call`` must raise a pelvis3d error with a one-line message and write nothing."""
    before = files_in(folder) if folder else set()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except Pelvis3dError as exc:
        text = str(exc)
        if not text.strip() or "\n" in text.strip():
            record("traceback", label, f"unclear message {text!r}")
        elif folder and files_in(folder) - before:
            record("silent wrong result", label, f"left {sorted(files_in(folder) - before)}")
        else:
            record("clear error", label, text[:120])
    except Exception as exc:  # noqa: BLE001 (anything else is what we count)
        record("traceback", label, f"{type(exc).__name__}: {str(exc)[:120]}")
    else:
        record("silent wrong result", label, "accepted")


def refuse_cli(label: str, argv: list[str], folder: Path) -> None:
    """``pelvis3d ARGV`` must exit non-zero with one line on stderr and write nothing."""
    before = files_in(folder)
    err, out = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                code = main(argv)
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
    except Exception as exc:  # noqa: BLE001
        record("traceback", label, f"{type(exc).__name__}: {str(exc)[:120]}")
        return
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    if code == 0:
        record("silent wrong result", label, "exit 0")
    elif "Traceback" in err.getvalue() or len(lines) != 1:
        record("traceback", label, f"stderr {err.getvalue()[-300:]!r}")
    elif files_in(folder) - before:
        record("silent wrong result", label, f"left {sorted(files_in(folder) - before)}")
    else:
        record("clear error", label, lines[0][:120])


def expect(label: str, call: Callable[[], bool]) -> None:
    """A valid edge case: ``call`` must return True (the right answer)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ok = call()
    except Exception as exc:  # noqa: BLE001
        record("traceback", label, f"{type(exc).__name__}: {str(exc)[:120]}")
        return
    record("right result" if ok else "silent wrong result", label)


# ---- inputs ---------------------------------------------------------------------------------

BAD_NUMBERS = [float("nan"), float("inf"), -float("inf"), "1", "", [1.0], 10**400, 1e308, 11.0]


def api_poses(pelvis: pelvis3d.Pelvis) -> None:
    for dof in ("rotation", "left_rotation", "right_tilt", "nutation", "pelvis_tilt", "pelvis_obliquity"):
        for value in BAD_NUMBERS:
            if value == 11.0 and dof.startswith("pelvis"):
                value = 1e4
            refuse_api(
                f"metrics(Pose({dof}={value!r:.20}))", lambda d=dof, v=value: pelvis.posed(Pose(**{d: v})).metrics
            )
    refuse_api("Pose(bogus=1)", lambda: Pose(bogus=1))
    refuse_api("Pose(rotation=1, left_rotation=2)", lambda: pelvis.posed(Pose(rotation=1, left_rotation=2)))
    for kwargs in (
        {"pubic_gap_change_mm": float("nan")},
        {"pubic_gap_change_mm": float("inf")},
        {"pubic_gap_change_mm": 1e300},
        {"si_posterior_change_mm": 500.0},
        {"pubic_gap_change_mm": 1.0, "si_posterior_change_mm": -0.1},
        {},
        {"pubic_gap_change_mm": 1.0, "side": "middle"},
        {"pubic_gap_change_mm": "5"},
    ):
        refuse_api(f"solve_rotation({kwargs})", lambda k=kwargs: pelvis.solve_rotation(**k))
    expect(
        "solve_rotation(si_posterior_change_mm=5e-324) is neutral",
        lambda: pelvis.solve_rotation(si_posterior_change_mm=5e-324) == Pose(),
    )


def api_outputs(out: Path) -> None:
    small = {"size": (64, 48)}
    cases: list[tuple[str, Callable[[], object]]] = [
        ("render_image size (0, 0)", lambda: pelvis3d.render_image(None, out / "a.png", size=(0, 0))),
        ("render_image size (-1, 100)", lambda: pelvis3d.render_image(None, out / "a.png", size=(-1, 100))),
        ("render_image size ('a', 1)", lambda: pelvis3d.render_image(None, out / "a.png", size=("a", 1))),
        ("render_image size (1e9, 1e9)", lambda: pelvis3d.render_image(None, out / "a.png", size=(10**9, 10**9))),
        ("render_image view 'sideways'", lambda: pelvis3d.render_image(None, out / "a.png", view="sideways", **small)),
        ("render_image overlays 'sparkles'", lambda: pelvis3d.render_image(None, out / "a.png", overlays="sparkles")),
        ("render_image suffix .xyz", lambda: pelvis3d.render_image(None, out / "a.xyz", **small)),
        ("render_image into a missing folder", lambda: pelvis3d.render_image(None, out / "no" / "a.png", **small)),
        ("render_image onto a folder", lambda: pelvis3d.render_image(None, out / "dir.png", **small)),
        ("render_image pose 'er'", lambda: pelvis3d.render_image("er", out / "a.png", **small)),
    ]
    (out / "dir.png").mkdir(exist_ok=True)
    for value in (0, -1, float("nan"), 1e9):
        cases.append(
            (
                f"render_image exaggeration {value}",
                lambda v=value: pelvis3d.render_image(None, out / "a.png", exaggeration=v, **small),
            )
        )
    for key, values in {
        "frames": [0, -1, 10**12, 2.5, "10"],
        "fps": [0, -1, 0.001, 1000, float("nan")],
        "duration": [-1.0, float("nan"), 1e12],
    }.items():
        for value in values:
            cases.append(
                (
                    f"render_animation {key}={value!r}",
                    lambda k=key, v=value: pelvis3d.render_animation("er-ir-cycle", out / "a.gif", **{k: v}, **small),
                )
            )
    cases += [
        ("render_animation motion 'nope'", lambda: pelvis3d.render_animation("nope", out / "a.gif", **small)),
        ("render_animation suffix .avi", lambda: pelvis3d.render_animation("er-ir-cycle", out / "a.avi", **small)),
        ("export_meshes units 'furlong'", lambda: pelvis3d.export_meshes(None, out / "a.stl", units="furlong")),
        ("export_meshes suffix .doc", lambda: pelvis3d.export_meshes(None, out / "a.doc")),
        (
            "export_meshes exaggeration nan",
            lambda: pelvis3d.export_meshes(None, out / "a.stl", exaggeration=float("nan")),
        ),
        ("export_animation fps 0", lambda: pelvis3d.export_animation("er-ir-cycle", out / "a.glb", fps=0)),
        (
            "export_animation frames 1e12",
            lambda: pelvis3d.export_animation("er-ir-cycle", out / "a.glb", frames=10**12),
        ),
        ("export_animation motion 'nope'", lambda: pelvis3d.export_animation("nope", out / "a.glb")),
        ("render_exercise fps 0", lambda: render_exercise("clamshell", out / "a.gif", fps=0, frames=3)),
        ("render_exercise fps 1000", lambda: render_exercise("clamshell", out / "a.gif", fps=1000, frames=3)),
        ("render_exercise frames 1e12", lambda: render_exercise("clamshell", out / "a.gif", frames=10**12)),
        ("render_exercise 'yoga'", lambda: render_exercise("yoga", out / "a.gif", frames=3)),
    ]
    for label, call in cases:
        refuse_api(label, call, out)


MOTION_FILES = {
    "empty.toml": "",
    "invalid.toml": 'name = "x\n',
    "no-keyframes.toml": 'name = "x"\n',
    "negative-time.toml": "[[keyframes]]\ntime = -1.0\npose = {}\n[[keyframes]]\ntime = 1.0\npose = {}\n",
    "unsorted.toml": "[[keyframes]]\ntime = 1.0\npose = {}\n[[keyframes]]\ntime = 0.5\npose = {}\n",
    "duplicate-time.toml": "[[keyframes]]\ntime = 1.0\npose = {}\n[[keyframes]]\ntime = 1.0\npose = {}\n",
    "easing.toml": '[[keyframes]]\ntime = 0.0\npose = {}\n[[keyframes]]\ntime = 1.0\neasing = "bouncy"\npose = {}\n',
    "dof.toml": "[[keyframes]]\ntime = 0.0\npose = {}\n[[keyframes]]\ntime = 1.0\npose = { hip_wiggle = 1.0 }\n",
    "nan.toml": "[[keyframes]]\ntime = 0.0\npose = {}\n[[keyframes]]\ntime = 1.0\npose = { rotation = nan }\n",
    "string-time.toml": '[[keyframes]]\ntime = "soon"\npose = {}\n',
    "huge.json": '{"keyframes": [{"time": 0, "pose": {}}, {"time": 1' + "0" * 400 + ', "pose": {}}]}',
    "huge-angle.json": '{"keyframes": [{"time": 0, "pose": {}}, {"time": 1, "pose": {"rotation": 1'
    + "0" * 400
    + "}}]}",
    "list.json": "[1, 2, 3]",
    "binary.toml": "\x00\x01\x02",
    "motion.txt": "keyframes",
}


def motion_files(folder: Path, out: Path) -> None:
    for name, text in MOTION_FILES.items():
        path = folder / name
        path.write_text(text)
        refuse_api(f"Motion.load({name})", lambda p=path: pelvis3d.Motion.load(p))
        refuse_cli(f"pelvis3d animate {name}", ["animate", str(path), str(out / "m.gif"), "--size", "64x48"], out)
    refuse_api("Motion.load(missing.toml)", lambda: pelvis3d.Motion.load(folder / "missing.toml"))
    long = folder / "long.toml"
    long.write_text("[[keyframes]]\ntime = 0.0\npose = {}\n[[keyframes]]\ntime = 1e9\npose = { rotation = 1.0 }\n")
    refuse_cli("pelvis3d export --motion of a 1e9 s motion", ["export", str(out / "l.glb"), "--motion", str(long)], out)
    weird = pelvis3d.Motion(
        'a "name"\nwith a newline\tand\x07control',
        (pelvis3d.Keyframe(0.0, Pose()), pelvis3d.Keyframe(1.0, Pose(rotation=1))),
    )

    def round_trip() -> bool:
        weird.save(folder / "weird.toml")
        back = pelvis3d.Motion.load(folder / "weird.toml")
        return back.name == weird.name and back.pose_at(1.0) == weird.pose_at(1.0)

    expect("Motion.save/load round trip of a name with a newline and control characters", round_trip)


def model_files(folder: Path, out: Path) -> None:
    pelvis = pelvis3d.Pelvis()
    meshes = pelvis.meshes()
    variants = {
        "": lambda m: m,
        "_m": lambda m: m.copy().apply_scale(0.001),
        "_rot": lambda m: m.copy().apply_transform(axis_angle_transform(np.array([1.0, 0, 0]), 90.0, np.zeros(3))),
        "_yaw": lambda m: m.copy().apply_transform(axis_angle_transform(np.array([0, 1.0, 0]), 180.0, np.zeros(3))),
    }
    for suffix, change in variants.items():
        for body, mesh in meshes.items():
            change(mesh.copy()).export(folder / f"{body}{suffix}.stl")
    (folder / "broken.stl").write_bytes(b"solid x\nfacet normal 0 0 1\nouter loop\nvertex 1 2\n")
    nan = meshes["sacrum"].copy()
    nan.vertices[0] = np.nan
    nan.export(folder / "nan.ply")
    (folder / "sacrum.doc").write_text("not a mesh")

    def model(
        name: str, text: str, left="left_innominate", right="right_innominate", suffix="", sacrum="sacrum"
    ) -> Path:
        path = folder / name
        meshes_table = (
            f'\n[meshes]\nsacrum = "{sacrum}{suffix}.stl"\nleft_innominate = "{left}{suffix}.stl"\n'
            f'right_innominate = "{right}{suffix}.stl"\n'
        )
        head, _, tail = text.partition("---")
        path.write_text(head + meshes_table + tail)
        return path

    cases = {
        "left and right files swapped": model("swap.toml", "", "right_innominate", "left_innominate"),
        "[axes] superior and right flipped": model(
            "flip.toml", '---[axes]\nanterior = "+x"\nsuperior = "-y"\nright = "-z"\n'
        ),
        "a file turned 90 deg without [axes]": model("rot.toml", "", suffix="_rot"),
        "a file turned 180 deg without [axes]": model("yaw.toml", "", suffix="_yaw"),
        "metre meshes, units missing": model("m.toml", "", suffix="_m"),
        "metre meshes declared mm": model("mm.toml", 'units = "mm"', suffix="_m"),
        "mm meshes declared as metres": model("mm-as-m.toml", 'units = "m"'),
        "one file in metres": model("one-m.toml", "", sacrum="sacrum_m"),
        "a pivot 1 km away": model("pivot.toml", "---[pivots]\nleft_rotation = [1000000.0, 0.0, 0.0]\n"),
        "unknown [meshes] key": model("k1.toml", '---coccyx = "sacrum.stl"\n'),
        "unknown [pivots] key": model("k2.toml", "---[pivots]\nleft_rotaton = [0.0, 0.0, 0.0]\n"),
        "unknown [axes] key": model(
            "k3.toml", '---[axes]\nanterior = "+x"\nsuperior = "+y"\nright = "+z"\nleft = "-z"\n'
        ),
        "unknown [landmarks] key": model("k4.toml", "---[landmarks]\nleft_asiss = [0.0, 0.0, 0.0]\n"),
        "unknown top-level key": model("k5.toml", 'colour = "red"'),
        "units 'furlong'": model("u.toml", 'units = "furlong"'),
        "frame 'sideways'": model("f.toml", 'frame = "sideways"'),
        "pivot_placement 'front'": model("pp.toml", 'pivot_placement = "front"'),
        "separate_joints 'yes'": model("sj.toml", 'separate_joints = "yes"'),
        "a landmark 500 mm off its bone": model("lm.toml", "---[landmarks]\nleft_asis = [0.0, 500.0, -110.0]\n"),
        "a landmark that is not 3 numbers": model("lm2.toml", '---[landmarks]\nleft_asis = "here"\n'),
        "[axes] with one axis twice": model("dup.toml", '---[axes]\nanterior = "+x"\nsuperior = "+x"\nright = "+z"\n'),
        "[axes] mirrored": model("mir.toml", '---[axes]\nanterior = "+x"\nsuperior = "+y"\nright = "-z"\n'),
        "a non-rigid transform": model("t.toml", "transform = [[2,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]"),
        "a transform of text": model("t2.toml", 'transform = "identity"'),
        "a missing mesh": model("miss.toml", "", sacrum="nope"),
        "a corrupt mesh": model("bad.toml", "", sacrum="broken"),
        "attribution not text": model("att.toml", "attribution = 3"),
    }
    (folder / "nanmodel.toml").write_text(
        '[meshes]\nsacrum = "nan.ply"\nleft_innominate = "left_innominate.stl"\nright_innominate = "right_innominate.stl"\n'
    )
    cases["a mesh with NaN vertices"] = folder / "nanmodel.toml"
    (folder / "doc.toml").write_text(
        '[meshes]\nsacrum = "sacrum.doc"\nleft_innominate = "left_innominate.stl"\nright_innominate = "right_innominate.stl"\n'
    )
    cases["a mesh of an unknown type"] = folder / "doc.toml"
    (folder / "invalid.toml").write_text("[meshes\n")
    cases["invalid TOML"] = folder / "invalid.toml"
    (folder / "invalid.json").write_text("{units: mm")
    cases["invalid JSON"] = folder / "invalid.json"
    (folder / "list.json").write_text("[1, 2]")
    cases["a JSON list"] = folder / "list.json"
    (folder / "model.yaml").write_text("units: mm")
    cases["a .yaml model"] = folder / "model.yaml"
    cases["a missing model file"] = folder / "missing.toml"
    for label, path in cases.items():
        refuse_api(f"Pelvis.load: {label}", lambda p=path: pelvis3d.Pelvis.load(p))
        refuse_cli(f"pelvis3d metrics --model: {label}", ["metrics", "--model", str(path)], out)
    sphere = trimesh.creation.icosphere(subdivisions=8, radius=80.0)
    refuse_api(
        "from_meshes: a 1.3M-triangle mesh",
        lambda: pelvis3d.Pelvis.from_meshes(sphere, meshes["left_innominate"], meshes["right_innominate"]),
    )
    refuse_api("from_meshes: a number for a mesh", lambda: pelvis3d.Pelvis.from_meshes(1, 2, 3))
    refuse_api("Pelvis('nonexistent')", lambda: pelvis3d.Pelvis("nonexistent"))
    refuse_api("Pelvis.load(.osim) missing", lambda: pelvis3d.Pelvis.load(folder / "missing.osim"))
    (folder / "bad.osim").write_text("<OpenSimDocument><Model>")
    refuse_api("Pelvis.load(broken .osim)", lambda: pelvis3d.Pelvis.load(folder / "bad.osim"))


def cli(out: Path) -> None:
    png, gif = str(out / "c.png"), str(out / "c.gif")
    for argv in (
        ["image", png, "--size", "abc"],
        ["image", png, "--size", "0x0"],
        ["image", png, "--size", "99999x99999"],
        ["image", png, "--view", "nope"],
        ["image", png, "--rotation", "nan"],
        ["image", png, "--rotation", "abc"],
        ["image", png, "--rotation", "11"],
        ["image", png, "--exaggerate", "0"],
        ["image", png, "--overlays", "sparkles"],
        ["image", str(out / "c.xyz")],
        ["image", str(out / "missing" / "c.png")],
        ["animate", "er-ir-cycle", gif, "--frames", "0"],
        ["animate", "er-ir-cycle", gif, "--frames", "1e12"],
        ["animate", "er-ir-cycle", gif, "--frames", "abc"],
        ["animate", "er-ir-cycle", gif, "--fps", "0"],
        ["animate", "er-ir-cycle", gif, "--fps", "-1"],
        ["animate", "er-ir-cycle", gif, "--fps", "1000"],
        ["animate", "er-ir-cycle", str(out / "c.mp4"), "--fps", "0"],
        ["animate", "nope", gif],
        ["exercise", "clamshell", gif, "--fps", "0"],
        ["exercise", "clamshell", gif, "--fps", "0.001"],
        ["exercise", "clamshell", gif, "--fps", "1000"],
        ["exercise", "clamshell", gif, "--frames", "1e12"],
        ["exercise", "yoga", gif],
        ["export", str(out / "c.stl"), "--units", "furlong"],
        ["export", str(out / "c.doc")],
        ["export", str(out / "c.glb"), "--motion", "er-ir-cycle", "--fps", "0"],
        ["metrics", "--angle", "abc"],
        ["metrics", "--angle", "nan"],
        ["metrics", "--model", str(out / "missing.toml")],
        ["list", "nothing"],
        ["figure", str(out / "f.png"), "--size", "10x10"],
        ["run", str(out / "missing.mot"), gif],
        ["frobnicate"],
    ):
        refuse_cli("pelvis3d " + " ".join(a.replace(str(out), "OUT") for a in argv), argv, out)


def faults(out: Path) -> None:
    """A render killed by SIGTERM leaves nothing; renders from threads take turns."""
    script = textwrap.dedent(
        f"""
        import pelvis3d
        pelvis3d.render_animation("er-ir-cycle", r"{out}/killed.gif", frames=400, size=(320, 240), workers=1)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.DEVNULL)
    time.sleep(12)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    left = [p.name for p in out.iterdir() if "killed" in p.name]
    record("clear error" if not left else "silent wrong result", "SIGTERM during a GIF render", f"left {left}")

    errors: list[str] = []

    def work(i: int) -> None:
        try:
            pelvis3d.render_image(Pose(rotation=0.5 * i), out / f"thread{i}.png", size=(160, 120))
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    whole = all((out / f"thread{i}.png").is_file() for i in range(3))
    record("right result" if whole and not errors else "traceback", "three threads rendering at once", str(errors))


def main_count() -> int:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pelvis3d-reliability-") as tmp:
        base = Path(tmp)
        folders = {name: base / name for name in ("models", "motions", "out", "cli", "faults")}
        for f in folders.values():
            f.mkdir()
        pelvis = pelvis3d.Pelvis()
        api_poses(pelvis)
        api_outputs(folders["out"])
        motion_files(folders["motions"], folders["cli"])
        model_files(folders["models"], folders["cli"])
        cli(folders["cli"])
        faults(folders["faults"])
    total = sum(len(v) for v in RESULTS.values())
    print(f"\ninputs tried:         {total}")
    for kind in ("clear error", "right result", "traceback", "silent wrong result"):
        print(f"{kind + ':':21s} {len(RESULTS[kind])}")
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0 if not RESULTS["traceback"] and not RESULTS["silent wrong result"] else 1


if __name__ == "__main__":
    raise SystemExit(main_count())
