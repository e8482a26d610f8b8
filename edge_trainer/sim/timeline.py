"""Turns a clip spec into per-frame world poses, props and the rep/set/segment truth."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from edge_trainer.exercise.names import REST
from edge_trainer.sim.body import Body, sample_body
from edge_trainer.sim.camera import Camera
from edge_trainer.sim.geometry import Vec, ry, smooth, v
from edge_trainer.sim.motions import SPECS, Prop, Rep
from edge_trainer.sim.motions import activities as act
from edge_trainer.sim.skeleton import J, Points, Rig, blend, bone_lengths
from edge_trainer.sim.spec import ActivitySpec, ClipSpec, SetSpec
from edge_trainer.sim.truth import RepTruth, SegmentTruth, SetTruth

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every frame's world pose and props, plus the labels and reps they carry."""

    body: Body
    camera: Camera
    fps: float
    points: F64
    props: tuple[tuple[Prop, ...], ...]
    segments: tuple[SegmentTruth, ...]
    sets: tuple[SetTruth, ...]
    station_z: float


@dataclass
class _Chunk:
    """Frames of one segment before placement in the clip."""

    label: str
    activity: str
    points: list[Points]
    props: list[list[Prop]]
    yaw: float | None  # None: already in world coordinates
    set_truth: SetTruth | None = None


def _rep_plan(s: SetSpec, rng: np.random.Generator) -> list[tuple[float, float, float, float, Rep]]:
    """(out_s, turn_s, back_s, rest_s, rep) for every rep of a set."""
    spec = SPECS[s.exercise]
    plan = []
    for k in range(s.reps):
        fat = 1.0 + s.fatigue * (k / max(s.reps - 1, 1)) ** 1.5
        jit = float(np.clip(1.0 + s.variation * rng.standard_normal(), 0.75, 1.3))
        rom = float(np.clip(1.0 + s.variation * 0.4 * rng.standard_normal(), 0.9, 1.04))
        scale = fat * jit / s.tempo
        rep = Rep(k, s.rep_faults(k + 1), rom, s.variant)
        plan.append(
            (
                spec.out_s * scale,
                spec.pause_turn_s * scale,
                spec.back_s * scale,
                spec.pause_start_s * jit / s.tempo,
                rep,
            )
        )
    return plan


def _set_chunk(rig: Rig, s: SetSpec, fps: float, rng: np.random.Generator) -> _Chunk:
    spec = SPECS[s.exercise]
    plan = _rep_plan(s, rng)
    starts = np.cumsum([0.0] + [sum(p[:4]) for p in plan])
    n = max(1, round(starts[-1] * fps))
    pts: list[Points] = []
    props: list[list[Prop]] = []
    for i in range(n):
        t = i / fps
        k = min(int(np.searchsorted(starts, t, side="right")) - 1, len(plan) - 1)
        out_s, turn_s, back_s, _, rep = plan[k]
        u = t - starts[k]
        if u < out_s:
            phase = smooth(u / out_s)
        elif u < out_s + turn_s:
            phase = 1.0
        elif u < out_s + turn_s + back_s:
            phase = 1.0 - smooth((u - out_s - turn_s) / back_s)
        else:
            phase = 0.0
        p, pr = spec.pose(rig, phase, rep)
        pts.append(p)
        props.append(pr)
    reps = []
    for k, (out_s, turn_s, back_s, rest_s, rep) in enumerate(plan):
        t0 = float(starts[k])
        con, ecc = (out_s, back_s) if spec.exercise.concentric_first else (back_s, out_s)
        reps.append(
            RepTruth(
                index=k + 1,
                start_frame=round(t0 * fps),
                bottom_frame=round((t0 + out_s + turn_s / 2) * fps),
                end_frame=min(round((t0 + out_s + turn_s + back_s) * fps), n - 1),
                concentric_s=round(con, 4),
                eccentric_s=round(ecc, 4),
                pause_s=round(turn_s + rest_s, 4),
                faults=tuple(sorted(rep.faults)),
            )
        )
    truth = SetTruth(s.exercise, s.variant, s.view, 0, reps[-1].end_frame, tuple(reps))
    return _Chunk(s.exercise, s.exercise, pts, props, math.radians(s.view), truth)


def _activity_chunk(rig: Rig, a: ActivitySpec, fps: float, seed: float) -> _Chunk:
    n = max(1, round(a.seconds * fps))
    fn = {"stand": act.stand, "stretch": act.stretch, "sit": act.sit}.get(a.kind)
    pts: list[Points] = []
    props: list[list[Prop]] = []
    for i in range(n):
        t = i / fps
        if a.kind == "pick_up":
            p, pr = act.pick_up(rig, t, seed, seconds=a.seconds)
        else:
            assert fn is not None
            p, pr = fn(rig, t, seed)
        pts.append(p)
        props.append(pr)
    return _Chunk(REST, a.kind, pts, props, math.radians(a.view))


def _place(points: Points, yaw: float, station_z: float) -> Points:
    rot = ry(math.pi + yaw)
    return np.asarray(points @ rot.T + v(0.0, 0.0, station_z))


def _place_prop(p: Prop, yaw: float, station_z: float) -> Prop:
    rot = ry(math.pi + yaw)
    off = v(0.0, 0.0, station_z)
    if p.kind == "box":
        corners = np.array(
            [
                [x, y, z]
                for x in (p.a[0], p.b[0])
                for y in (p.a[1], p.b[1])
                for z in (p.a[2], p.b[2])
            ]
        )
        return Prop("hull", corners @ rot.T + off, p.b, p.radius, p.color)
    return Prop(p.kind, rot @ p.a + off, rot @ p.b + off, p.radius, p.color)


def _fit_camera(
    chunks: list[_Chunk], w: int, h: int, cam_h: float, scale: float = 1.0
) -> tuple[Camera, float]:
    """Nearest station distance at which every station pose fits in the frame, times
    ``scale`` (above 1 leaves room around the person)."""
    pts = []
    for c in chunks:
        if c.yaw is None:
            continue
        for i in range(0, len(c.points), 3):
            pts.append(_place(c.points[i], c.yaw, 0.0))
            for p in c.props[i]:
                q = _place_prop(p, c.yaw, 0.0)
                pts.append(q.a.reshape(-1, 3) if q.kind == "hull" else np.stack([q.a, q.b]))
    allp = np.concatenate(pts)
    lo, hi = allp.min(0), allp.max(0)
    base = Camera(w, h, cam_height=cam_h)
    centre_y = float(min(lo[1], 0.0) + hi[1]) / 2
    centre_z = float(lo[2] + hi[2]) / 2
    mx, my = 0.04 * w, 0.05 * h
    for dist in np.arange(1.6, 14.0, 0.05):
        cam = base.looking_at(v(0.0, centre_y, float(dist) + centre_z))
        uv, _ = cam.project(allp + v(0.0, 0.0, float(dist)))
        if (
            (uv[:, 0] > mx).all()
            and (uv[:, 0] < w - mx).all()
            and (uv[:, 1] > my).all()
            and (uv[:, 1] < h - my).all()
        ):
            far = float(dist) * scale
            return base.looking_at(v(0.0, centre_y, far + centre_z)), far
    return base.looking_at(v(0.0, centre_y, 14.0 * scale)), 14.0 * scale


def _walk(
    rig: Rig,
    fps: float,
    *,
    start_x: float,
    direction: float,
    distance: float,
    z: float,
    seed: float,
) -> _Chunk:
    """Walk ``distance`` metres along world x (``direction`` +1 or -1) from ``start_x``."""
    n = max(1, round(distance / act.walk_speed(rig) * fps))
    rot = ry(direction * math.pi / 2)
    pts = [
        np.asarray(act.walk(rig, i / fps, seed)[0] @ rot.T + v(start_x, 0.0, z)) for i in range(n)
    ]
    return _Chunk(REST, "walk_in" if start_x else "walk_out", pts, [[] for _ in range(n)], None)


def _camera_height(spec: ClipSpec, u: float) -> float:
    """Lens height for the uniform draw ``u``: 0.75..1.35 m, or the ``head_on_camera``
    range of an exercise seen head-on in the clip (the highest such range wins), else
    the ``side_camera`` range of one seen side-on (the first such set's)."""
    lo, hi = 0.75, 1.35
    head_on = False
    side: tuple[float, float] | None = None
    for seg in spec.segments:
        if not isinstance(seg, SetSpec):
            continue
        ex = SPECS[seg.exercise]
        turned = abs((seg.view + 180.0) % 360.0 - 180.0)
        band = ex.head_on_camera
        if band is not None and min(turned, 180.0 - turned) <= 30.0 and band[0] > lo:
            lo, hi = band
            head_on = True
        if side is None and ex.side_camera is not None and abs(turned - 90.0) <= 30.0:
            side = ex.side_camera
    if side is not None and not head_on:
        lo, hi = side
    return lo + (hi - lo) * u


def build_timeline(spec: ClipSpec) -> Timeline:
    """Pose every frame of ``spec`` (deterministic in ``spec.seed``)."""
    spec.validate()
    seeds = np.random.SeedSequence(spec.seed).spawn(4)
    body = spec.body or sample_body(np.random.default_rng(seeds[0]))
    motion_rng = np.random.default_rng(seeds[1])
    scene_rng = np.random.default_rng(seeds[2])
    rig = Rig(body)
    fps = spec.fps
    cam_h = spec.camera_height or _camera_height(spec, float(scene_rng.random()))
    walk_side = 1.0 if scene_rng.random() < 0.5 else -1.0
    chunks: list[_Chunk | ActivitySpec] = []
    for seg in spec.segments:
        if isinstance(seg, SetSpec):
            chunks.append(_set_chunk(rig, seg, fps, motion_rng))
        elif seg.kind in ("walk_in", "walk_out"):
            chunks.append(seg)
        else:
            chunks.append(_activity_chunk(rig, seg, fps, float(motion_rng.random())))
    station = [c for c in chunks if isinstance(c, _Chunk)]
    if not station:
        station = [_activity_chunk(rig, ActivitySpec("stand", 1.0), fps, 0.0)]
    camera, dist = _fit_camera(station, spec.width, spec.height, cam_h, spec.distance_scale)
    off_x = dist * math.tan(math.radians(camera.hfov_deg) / 2) + 0.9
    placed: list[_Chunk] = []
    for c in chunks:
        if isinstance(c, ActivitySpec):
            if c.kind == "walk_in":
                placed.append(
                    _walk(
                        rig,
                        fps,
                        start_x=walk_side * off_x,
                        direction=-walk_side,
                        distance=off_x,
                        z=dist,
                        seed=0.0,
                    )
                )
            else:
                placed.append(
                    _walk(
                        rig, fps, start_x=0.0, direction=walk_side, distance=off_x, z=dist, seed=0.5
                    )
                )
            continue
        yaw = c.yaw or 0.0
        c.points = [_place(p, yaw, dist) for p in c.points]
        c.props = [[_place_prop(p, yaw, dist) for p in pr] for pr in c.props]
        c.yaw = None
        placed.append(c)
    lengths = bone_lengths(placed[0].points[0])
    all_pts: list[Points] = []
    all_props: list[tuple[Prop, ...]] = []
    segments: list[SegmentTruth] = []
    sets: list[SetTruth] = []
    for k, c in enumerate(placed):
        if k > 0:
            a, b = all_pts[-1], c.points[0]
            gap = float(np.abs(b - a).max())
            n = round(min(max(gap / 0.9, 0.3), 2.0) * fps) if gap > 0.05 else 0
            if n:
                start = len(all_pts)
                for i in range(n):
                    all_pts.append(blend(a, b, smooth((i + 1) / (n + 1)), lengths))
                    all_props.append(())
                segments.append(SegmentTruth(REST, "transition", start, len(all_pts)))
        start = len(all_pts)
        all_pts.extend(c.points)
        all_props.extend(tuple(p) for p in c.props)
        segments.append(SegmentTruth(c.label, c.activity, start, len(all_pts)))
        if c.set_truth is not None:
            st = c.set_truth
            reps = tuple(
                RepTruth(r.index, r.start_frame + start, r.bottom_frame + start,
                         r.end_frame + start, r.concentric_s, r.eccentric_s, r.pause_s, r.faults)
                for r in st.reps
            )  # fmt: skip
            sets.append(
                SetTruth(st.exercise, st.variant, st.view_deg, reps[0].start_frame,
                         reps[-1].end_frame, reps)
            )  # fmt: skip
    return Timeline(
        body=body,
        camera=camera,
        fps=fps,
        points=np.stack(all_pts),
        props=tuple(all_props),
        segments=tuple(segments),
        sets=tuple(sets),
        station_z=dist,
    )


def floor_point(points: Points) -> Vec:
    """Where the person's shadow falls: under the middle of the body."""
    c = points[[J["pelvis"], J["chest"], J["ankle_l"], J["ankle_r"]]].mean(0)
    return v(float(c[0]), 0.002, float(c[2]))
