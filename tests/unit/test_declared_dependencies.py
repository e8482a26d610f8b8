"""Every library the package imports is one pyproject.toml (or the Pi's apt) provides.

A fresh ``make demo`` venv holds only the declared dependencies; an import that only the
test venv happens to satisfy would crash the box, not the tests.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Import name -> the declared distribution that brings it (itself, or as its dependency).
PROVIDER = {
    "jinja2": "llama-cpp-python",  # the chat template's renderer
    "smbus2": "luma.core",  # the OLED's I2C
    "cv2": "opencv-python-headless",
    "PIL": "pillow",
    "luma": "luma.core",
    "ai_edge_litert": "ai-edge-litert",
    "llama_cpp": "llama-cpp-python",
    "gpiozero": "gpiozero",
    "numpy": "numpy",
    "pyttsx3": "pyttsx3",
    "segno": "segno",
    "tqdm": "tqdm",
    "platformdirs": "platformdirs",
    "matplotlib": "matplotlib",
    "tensorflow": "tensorflow-cpu",
    "mediapipe": "mediapipe",
    "gguf": "gguf",
}
# Not from pip: picamera2 is Raspberry Pi OS's python3-picamera2 (the venv sees system
# packages); tflite_runtime is the retired runtime, tried only when LiteRT is absent;
# flatbuffers comes with ai-edge-litert.
ELSEWHERE = {"picamera2", "tflite_runtime", "flatbuffers"}


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return {re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower() for spec in specs}


def _imported() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "edge_trainer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"edge_trainer"}


def test_every_import_is_declared() -> None:
    declared = _declared()
    unknown = sorted(_imported() - ELSEWHERE - PROVIDER.keys())
    assert not unknown, f"imported but not in pyproject.toml: {unknown}"
    missing = sorted(n for n in _imported() - ELSEWHERE if PROVIDER[n] not in declared)
    assert not missing, f"their distributions are not declared: {missing}"
