"""The unit's MemoryDenyWriteExecute=yes, checked against the real native libraries.

systemd implements MemoryDenyWriteExecute= with a seccomp filter that refuses writable
and executable mappings and any mprotect() that adds PROT_EXEC. A JIT or a libffi
without static trampolines would be killed by it mid-workout, so each native workload
the daemon runs is run here under the same rules (installed with libseccomp, as systemd
does for x86-64 and arm64) in its own process.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "edge-trainer.service"

pytestmark = pytest.mark.skipif(
    ctypes.util.find_library("seccomp") is None or sys.platform != "linux",
    reason="needs Linux and libseccomp",
)

# Installs the MemoryDenyWriteExecute rules, proves they bite, then runs the workload.
FILTER = textwrap.dedent(
    """
    import ctypes, ctypes.util, errno, mmap, sys

    class ArgCmp(ctypes.Structure):
        _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                    ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]

    lib = ctypes.CDLL(ctypes.util.find_library("seccomp"))
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    ALLOW, MASKED_EQ = 0x7FFF0000, 7
    DENY = 0x00050000 | errno.EPERM
    PROT_WRITE, PROT_EXEC, SHM_EXEC = 0x2, 0x4, 0o100000
    ctx = lib.seccomp_init(ALLOW)
    for name, mask, value in (
        ("mmap", PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC),
        ("mprotect", PROT_EXEC, PROT_EXEC),
        ("pkey_mprotect", PROT_EXEC, PROT_EXEC),
        ("shmat", SHM_EXEC, SHM_EXEC),
    ):
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        cmp = (ArgCmp * 1)(ArgCmp(2, MASKED_EQ, mask, value))
        assert lib.seccomp_rule_add_array(ctx, DENY, nr, 1, cmp) == 0, name
    ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS, as NoNewPrivileges=yes
    assert lib.seccomp_load(ctx) == 0
    try:
        mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        sys.exit("the filter is not active")
    except OSError:
        pass
    print("filter active", flush=True)
    """
)

WORKLOADS = {
    "ctypes_callback": """
        import ctypes
        double = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: 2 * x)
        assert double(21) == 42
        print("ok")
    """,
    "espeak_tts": """
        import os, sys, pyttsx3
        engine = pyttsx3.init("espeak")
        engine.save_to_file("Ten reps, good depth.", sys.argv[1] + "/cue.wav")
        engine.runAndWait()
        assert os.path.getsize(sys.argv[1] + "/cue.wav") > 1000
        print("ok")
    """,
    "litert_xnnpack": """
        import sys
        import numpy as np
        from ai_edge_litert.interpreter import Interpreter
        it = Interpreter(model_path=sys.argv[2], num_threads=2)
        it.allocate_tensors()
        inp = it.get_input_details()[0]
        it.set_tensor(inp["index"], np.zeros(inp["shape"], inp["dtype"]))
        it.invoke()
        print("ok")
    """,
    "llama_cpp": """
        import sys
        from llama_cpp import Llama
        llm = Llama(model_path=sys.argv[2], n_ctx=256, n_threads=2, verbose=False)
        out = llm.create_completion("keep your", max_tokens=8)
        assert out["choices"][0]["text"]
        print("ok")
    """,
    "numpy_opencv_sqlite": """
        import sqlite3, numpy as np, cv2
        a = np.random.default_rng(0).random((128, 128), dtype=np.float32)
        assert cv2.resize(a @ a, (32, 32)).shape == (32, 32)
        assert sqlite3.connect(":memory:").execute("select 1").fetchone() == (1,)
        print("ok")
    """,
}


def run_under_mdwe(name: str, tmp_path: Path, arg: str = "") -> None:
    code = FILTER + textwrap.dedent(WORKLOADS[name])
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), arg],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.stdout.splitlines()[:1] == ["filter active"], proc.stdout + proc.stderr
    assert proc.returncode == 0 and proc.stdout.splitlines()[-1] == "ok", proc.stderr[-2000:]


def test_the_unit_enables_it() -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert re.search(r"^MemoryDenyWriteExecute=yes$", text, re.M)


def test_ctypes_callbacks(tmp_path: Path) -> None:
    run_under_mdwe("ctypes_callback", tmp_path)


def test_numpy_opencv_sqlite(tmp_path: Path) -> None:
    run_under_mdwe("numpy_opencv_sqlite", tmp_path)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_pyttsx3_on_espeak_ng(tmp_path: Path) -> None:
    pytest.importorskip("pyttsx3")
    run_under_mdwe("espeak_tts", tmp_path)


def test_litert_with_xnnpack(tmp_path: Path) -> None:
    pytest.importorskip("ai_edge_litert")
    # Locate the BlazePose model in the mediapipe wheel without importing mediapipe.
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        pytest.skip("the BlazePose model comes from the mediapipe wheel, not installed")
    model = Path(spec.origin).parent / "modules/pose_landmark/pose_landmark_full.tflite"
    if not model.is_file():
        pytest.skip(f"no {model.name} in the mediapipe wheel")
    run_under_mdwe("litert_xnnpack", tmp_path, str(model))


@pytest.mark.llm
def test_llama_cpp(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    from tests.llm_fixture import build_tiny_gguf

    model = build_tiny_gguf(tmp_path / "tiny.gguf")
    run_under_mdwe("llama_cpp", tmp_path, str(model))
