"""The real daemon with a scripted trainee, for fault injection: ``python -m tests.fault_daemon
CONFIG [--reps N] [--rep-every S]``.

Everything from the frame loop down is the production program in run mode: ``App``, the
event bus, ``WorkoutSession`` on the real SQLite history, ``Outputs`` with the real cue
policy, espeak-ng writing WAVs, the emulated OLED, health file, signals and reload. The
camera is a synthetic pattern and the pose and exercise stages are replaced by a script
that does sets of reps at a fixed pace (the durability of what is announced is under test
here, not the counting, and a scripted trainee runs a trial in a second instead of the
pose model's twenty). Each set's final record drops its last rep, as the end-of-set pass
sometimes does, so every set also exercises the discounting of an announced rep.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import numpy.typing as npt

from edge_trainer import app as app_mod
from edge_trainer import config
from edge_trainer.camera.synthetic import SyntheticSource
from edge_trainer.cli import setup_logging
from edge_trainer.config import Config
from edge_trainer.events import (
    Event,
    PersonAppeared,
    RepCompleted,
    RepRecord,
    SetEnded,
    SetRecord,
    SetStarted,
)
from edge_trainer.pose.base import Pose

FPS = 50.0


class ScriptedPose:
    """No pose model: the scripted trainee needs none."""

    def estimate(self, image: npt.NDArray[np.uint8], t: float) -> Pose | None:
        return None

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


class ScriptedTrainee:
    """An ``ExerciseAnalyzer`` that does sets of ``reps`` squats, one every ``every`` s."""

    def __init__(self, reps: int, every: float, generation: int) -> None:
        self.reps = reps
        self.every = every
        self.generation = generation
        self._present = False
        self._set: list[RepRecord] = []
        self._set_start = 0.0
        self._next = 0.3
        self._rest_until = 0.0

    def update(self, pose: Pose | None, t: float) -> list[Event]:
        events: list[Event] = []
        if not self._present:
            self._present = True
            events.append(PersonAppeared(t))
        if t < self._next or t < self._rest_until:
            return events
        if not self._set:
            self._set_start = t
            events.append(SetStarted(t, "squat"))
        i = len(self._set) + 1
        rep = RepRecord(i, t - self.every * 0.8, t, 0.4, 0.5, 0.0, 0.6, ())
        self._set.append(rep)
        events.append(RepCompleted(t, "squat", rep))
        self._next = t + self.every
        if i == self.reps:
            # The end-of-set pass takes the last rep back.
            events.append(SetEnded(t, self._record(t, self._set[:-1])))
            self._set = []
            self._rest_until = t + 1.0
        return events

    def _record(self, t: float, reps: list[RepRecord]) -> SetRecord:
        return SetRecord("squat", self._set_start, t, tuple(reps))

    def set_exercise(self, name: str | None, t: float) -> list[Event]:
        return self.end_set(t)

    def end_set(self, t: float) -> list[Event]:
        if not self._set:
            return []
        record = self._record(t, self._set)
        self._set = []
        return [SetEnded(t, record)]

    def finish(self, t: float, cut_short: bool = False) -> list[Event]:
        return self.end_set(t)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("config", type=Path)
    parser.add_argument("--reps", type=int, default=6)
    parser.add_argument("--rep-every", type=float, default=0.3)
    args = parser.parse_args()
    setup_logging("info")
    generation = [0]

    def trainee(cfg: Config) -> ScriptedTrainee:
        generation[0] += 1
        return ScriptedTrainee(args.reps, args.rep_every, generation[0])

    app_mod.build_pose = lambda cfg: ScriptedPose()  # type: ignore[assignment,return-value]
    app_mod.build_analyzer = trainee  # type: ignore[assignment]
    cfg = config.load(args.config)
    source = SyntheticSource(
        lambda i, t: np.zeros((48, 64, 3), np.uint8), frames=int(FPS * 3600), fps=FPS
    )
    return app_mod.App(cfg, "run", config_path=args.config, source=source).run()


if __name__ == "__main__":
    raise SystemExit(main())
