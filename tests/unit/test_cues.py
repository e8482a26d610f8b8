"""The cue policy: rep counts, fault cooldowns, encouragement, rest countdown, summaries."""

from __future__ import annotations

from edge_trainer.coach.cues import (
    Cue,
    CuePolicy,
    CueSettings,
    Priority,
    exercise_phrase,
    fault_phrase,
)
from edge_trainer.config import Config, from_dict
from edge_trainer.events import (
    CameraLost,
    CameraRestored,
    ExerciseChanged,
    FormFault,
    PartialRep,
    RepCompleted,
    RepRecord,
    SetEnded,
    SetRecord,
    SetStarted,
)


def rep(i: int, t: float, velocity: float | None = None, faults: tuple[str, ...] = ()) -> RepRecord:
    return RepRecord(
        index=i,
        start_s=t - 2.0,
        end_s=t,
        concentric_s=0.9,
        eccentric_s=1.1,
        velocity=velocity,
        faults=faults,
    )


def rep_event(i: int, t: float, velocity: float | None = None, ex: str = "squat") -> RepCompleted:
    return RepCompleted(t=t, exercise=ex, rep=rep(i, t, velocity))


def texts(cues: list[Cue]) -> list[str]:
    return [c.text for c in cues]


def test_every_rep_is_counted_with_rep_priority_and_supersession_key() -> None:
    policy = CuePolicy()
    policy.on_event(SetStarted(t=0.0, exercise="squat"))
    cues = [c for i in range(1, 4) for c in policy.on_event(rep_event(i, 2.0 * i))]
    assert texts(cues) == ["Squats. 1", "2", "3"]
    assert {c.kind for c in cues} == {"rep"}
    assert {c.priority for c in cues} == {Priority.REP}
    assert {c.key for c in cues} == {"rep"}
    assert cues[1].t == 4.0
    assert cues[1].expiry_s == CueSettings().max_age_s


def test_rep_counting_can_be_switched_off() -> None:
    policy = CuePolicy(CueSettings(count_reps=False))
    first = policy.on_event(rep_event(1, 1.0))
    assert [(c.text, c.kind) for c in first] == [("Squats", "exercise")]
    assert policy.on_event(rep_event(2, 3.0)) == []


def test_fault_cue_outranks_rep_count_and_is_rate_limited() -> None:
    policy = CuePolicy(CueSettings(fault_cooldown_reps=3, fault_cooldown_s=5.0))
    policy.on_event(SetStarted(t=0.0, exercise="squat"))
    spoken: list[tuple[int, str]] = []
    for i in range(1, 11):
        t = 2.0 * i
        policy.on_event(rep_event(i, t))
        for cue in policy.on_event(
            FormFault(t=t, exercise="squat", rep_index=i, fault="squat_knee_valgus")
        ):
            assert cue.priority > Priority.REP
            assert cue.kind == "fault"
            spoken.append((i, cue.text))
    # the same fault on every rep is said on rep 1, then at most every 3 reps and 5 s
    assert spoken == [(1, "Knees out"), (4, "Knees out"), (7, "Knees out"), (10, "Knees out")]


def test_a_faulty_rep_is_counted_and_corrected_in_one_cue() -> None:
    policy = CuePolicy(CueSettings(fault_cooldown_reps=3, fault_cooldown_s=0.0))
    policy.on_event(SetStarted(t=0.0, exercise="squat"))
    said: list[Cue] = []
    for i in range(1, 6):
        faults = ("squat_shallow", "squat_knee_valgus") if i in (2, 3) else ()
        event = RepCompleted(t=2.0 * i, exercise="squat", rep=rep(i, 2.0 * i, faults=faults))
        said += policy.on_event(event)
        # The analyzer follows a faulty rep with its FormFault events: already said.
        for code in faults:
            said += policy.on_event(FormFault(2.0 * i, "squat", i, code))
    # Rep 3's first fault is cooling down, so its second one is said with the count.
    assert texts(said) == ["Squats. 1", "2. Go deeper", "3. Knees out", "4", "5"]
    assert [c.priority for c in said[1:3]] == [Priority.FAULT] * 2
    assert all(c.key == "" for c in said[1:3])  # a later count must not replace them


def test_a_faulty_rep_with_counting_off_says_only_the_correction() -> None:
    policy = CuePolicy(CueSettings(count_reps=False))
    policy.on_event(rep_event(1, 1.0))
    event = RepCompleted(t=2.0, exercise="squat", rep=rep(2, 2.0, faults=("squat_shallow",)))
    assert texts(policy.on_event(event)) == ["Go deeper"]


def test_time_cooldown_holds_a_fault_back_even_after_enough_reps() -> None:
    policy = CuePolicy(CueSettings(fault_cooldown_reps=1, fault_cooldown_s=10.0))
    said = []
    for i in range(1, 10):
        t = 1.5 * i  # fast reps
        policy.on_event(rep_event(i, t))
        said += [i for _ in policy.on_event(FormFault(t, "squat", i, "squat_shallow"))]
    assert said == [1, 8]  # 10.5 s after rep 1


def test_only_one_fault_cue_per_rep_and_faults_cool_down_separately() -> None:
    policy = CuePolicy(CueSettings(fault_cooldown_reps=2, fault_cooldown_s=0.0))
    policy.on_event(rep_event(1, 2.0))
    first = policy.on_event(FormFault(2.0, "squat", 1, "squat_shallow"))
    second = policy.on_event(FormFault(2.0, "squat", 1, "squat_knee_valgus"))
    assert texts(first) == ["Go deeper"]
    assert second == []  # one correction per rep
    policy.on_event(rep_event(2, 4.0))
    # knee valgus was never said, so it is not cooling down
    assert texts(policy.on_event(FormFault(4.0, "squat", 2, "squat_knee_valgus"))) == ["Knees out"]


def test_fault_phrases_known_and_derived() -> None:
    assert fault_phrase("push_up_hip_sag") == "Hips up"
    assert fault_phrase("bicep_curl_swing") == "Elbows still"
    assert fault_phrase("squat_toes_out") == "Check toes out"
    assert fault_phrase("jumping_jack_feet_narrow") == "Feet wider"
    assert fault_phrase("wobbly-knees") == "Check wobbly knees"
    assert fault_phrase("squat_") == "Check your form"


def test_partial_reps_get_a_range_cue_with_cooldown() -> None:
    policy = CuePolicy(CueSettings(fault_cooldown_reps=2, fault_cooldown_s=0.0))
    policy.on_event(SetStarted(1.0, "squat"))
    # Before the first counted rep a part-rep is the move into position: nothing said.
    assert policy.on_event(PartialRep(t=1.5, exercise="squat", rep=rep(1, 1.5))) == []
    policy.on_event(rep_event(1, 2.0))
    partial = PartialRep(t=3.0, exercise="squat", rep=rep(1, 3.0))
    assert texts(policy.on_event(partial)) == ["Full range"]
    assert policy.on_event(PartialRep(t=4.0, exercise="squat", rep=rep(2, 4.0))) == []


def test_target_reps_prompts_two_more_and_one_more() -> None:
    policy = CuePolicy(CueSettings(target_reps=5))
    said = {i: texts(policy.on_event(rep_event(i, 2.0 * i))) for i in range(1, 6)}
    assert said[2] == ["2"]
    assert said[3] == ["3", "Two more"]
    assert said[4] == ["4", "One more"]
    assert said[5] == ["5", "That's the target. Nice work"]


def test_velocity_loss_encourages_once_per_step() -> None:
    policy = CuePolicy(CueSettings(velocity_loss_steps_pct=(20.0, 35.0)))
    velocities = [1.0, 1.1, 1.0, 0.98, 0.85, 0.80, 0.79, 0.70, 0.69]
    encourage = []
    for i, v in enumerate(velocities, start=1):
        for cue in policy.on_event(rep_event(i, 2.0 * i, velocity=v)):
            if cue.kind == "encourage":
                assert cue.priority < Priority.REP
                # Said straight after the count or not at all: never holds up the next.
                assert cue.expiry_s <= 1.0
                encourage.append((i, cue.text))
    # 0.85 is a 23% loss against 1.1 (the fastest early rep); 0.70 is 36%
    assert encourage == [(5, "Stay strong, keep it fast"), (8, "Drive! Strong finish")]


def test_new_set_resets_velocity_reference() -> None:
    policy = CuePolicy()
    for i, v in enumerate([1.0, 1.0, 1.0, 0.7], start=1):
        policy.on_event(rep_event(i, float(i), velocity=v))
    policy.on_event(SetEnded(t=5.0, record=SetRecord("squat", 0.0, 5.0, (rep(1, 5.0),))))
    policy.on_event(SetStarted(t=100.0, exercise="squat"))
    cues = [
        c
        for i, v in enumerate([0.7, 0.7, 0.7, 0.65], start=1)
        for c in policy.on_event(rep_event(i, 100.0 + i, velocity=v))
    ]
    assert [c for c in cues if c.kind == "encourage"] == []


def test_set_end_cue_and_rest_countdown() -> None:
    policy = CuePolicy(CueSettings(rest_target_s=90.0, rest_calls_s=(60, 30, 10, 0)))
    reps = tuple(rep(i, 2.0 * i) for i in range(1, 11))
    record = SetRecord("push_up", 0.0, 20.0, reps, partial_reps=(rep(1, 5.0),))
    [done] = policy.on_event(SetEnded(t=28.0, record=record))
    assert done.text == "Set done. 10 push ups, 1 partial"
    assert done.kind == "set"
    assert done.expiry_s == 30.0
    calls = []
    t = 28.0
    while t < 28.0 + 120.0:
        calls += [(round(t - 28.0), c.text) for c in policy.tick(t)]
        t += 1 / 30
    assert calls == [
        (30, "One minute rest left"),
        (60, "30 seconds rest left"),
        (80, "10 seconds rest left"),
        (90, "Rest over. Next set when you're ready"),
    ]


def test_rest_countdown_after_a_gap_says_only_the_latest_call() -> None:
    policy = CuePolicy(CueSettings(rest_target_s=90.0))
    policy.on_event(SetEnded(t=0.0, record=SetRecord("squat", 0.0, 0.0, (rep(1, 0.0),))))
    assert texts(policy.tick(85.0)) == ["10 seconds rest left"]
    assert policy.tick(86.0) == []


def test_new_set_stops_the_rest_countdown() -> None:
    policy = CuePolicy()
    policy.on_event(SetEnded(t=0.0, record=SetRecord("squat", 0.0, 0.0, (rep(1, 0.0),))))
    policy.on_event(SetStarted(t=20.0, exercise="squat"))
    assert policy.tick(200.0) == []


def test_single_rep_and_unknown_exercise_wording() -> None:
    policy = CuePolicy()
    one = SetRecord("bicep_curl", 0.0, 3.0, (rep(1, 3.0),))
    assert texts(policy.on_event(SetEnded(4.0, one))) == ["Set done. One bicep curl"]
    many = SetRecord("unknown", 0.0, 9.0, tuple(rep(i, i) for i in range(1, 4)))
    assert texts(policy.on_event(SetEnded(10.0, many))) == ["Set done. 3 reps"]


def test_summary_and_repeat_summary() -> None:
    policy = CuePolicy()
    assert policy.repeat_summary(1.0) is None
    cue = policy.summary("Eight squats, steady tempo.", 30.0)
    assert (cue.kind, cue.priority, cue.t) == ("summary", Priority.SUMMARY, 30.0)
    again = policy.repeat_summary(50.0)
    assert again is not None
    assert (again.text, again.t) == ("Eight squats, steady tempo.", 50.0)


def test_exercise_named_with_the_first_rep_of_its_sets() -> None:
    policy = CuePolicy()
    # A recognition alone says nothing: bending down to the floor may read as a deadlift.
    assert policy.on_event(ExerciseChanged(1.0, "deadlift", None, 0.5)) == []
    assert texts(policy.on_event(rep_event(1, 2.0, ex="push_up"))) == ["Push ups. 1"]
    assert texts(policy.on_event(rep_event(2, 4.0, ex="push_up"))) == ["2"]
    policy.on_event(SetEnded(t=8.0, record=SetRecord("push_up", 0.0, 4.0, (rep(1, 2.0),))))
    # The next set of the same exercise is not named again; an unknown movement never is.
    assert texts(policy.on_event(rep_event(1, 20.0, ex="push_up"))) == ["1"]
    assert texts(policy.on_event(rep_event(1, 40.0, ex="unknown"))) == ["1"]
    faulty = RepCompleted(50.0, "squat", rep(1, 50.0, faults=("squat_shallow",)))
    assert texts(policy.on_event(faulty)) == ["Squats. 1. Go deeper"]
    assert exercise_phrase("situp") == "sit ups"


def test_camera_lost_said_once_per_outage() -> None:
    policy = CuePolicy()
    [lost] = policy.on_event(CameraLost(t=5.0, reason="timeout"))
    assert lost.priority == max(Priority) and lost.kind == "status"
    assert policy.on_event(CameraLost(t=6.0)) == []
    policy.on_event(CameraRestored(t=7.0))
    assert len(policy.on_event(CameraLost(t=8.0))) == 1


def test_settings_from_config() -> None:
    cfg = from_dict(
        {
            "speech": {"target_reps": 12, "fault_cooldown_s": 4.5, "rest_calls_s": [30, 0]},
            "session": {"rest_target_s": 60.0},
        }
    )
    s = CueSettings.from_config(cfg)
    assert (s.target_reps, s.fault_cooldown_s, s.rest_calls_s, s.rest_target_s) == (
        12,
        4.5,
        (30, 0),
        60.0,
    )
    assert CueSettings.from_config(Config()) == CueSettings()


def test_a_set_taken_back_to_no_reps_is_not_announced() -> None:
    policy = CuePolicy(CueSettings())
    policy.on_event(rep_event(1, 2.0))
    assert policy.on_event(SetEnded(t=9.0, record=SetRecord("squat", 0.0, 3.0, ()))) == []
    assert policy.tick(60.0) == []
