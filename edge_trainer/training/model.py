"""The classifier network (Keras) and its full-integer int8 TFLite conversion."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from edge_trainer.errors import missing_dependency

log = logging.getLogger(__name__)


def _tf() -> Any:
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise missing_dependency("tensorflow", extra="train") from exc
    return tf


def build_model(frames: int, features: int, classes: int, seed: int) -> Any:
    """A small 1-D convolutional network over a window, softmax over the classes.

    Convolutions over time see motion (velocity, rhythm); pooling both the mean and the
    max over time keeps the pose extremes that tell e.g. a squat from a deadlift.
    """
    tf = _tf()
    tf.keras.utils.set_random_seed(seed)
    layers = tf.keras.layers
    inp = tf.keras.Input(shape=(frames, features), name="features")
    x = layers.Conv1D(48, 5, padding="same")(inp)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Conv1D(64, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Conv1D(64, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Concatenate()([layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)])
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(64, activation="relu")(x)
    out = layers.Dense(classes, activation="softmax", name="probs")(x)
    return tf.keras.Model(inp, out)


def train_model(
    x: npt.NDArray[np.float32],
    y: npt.NDArray[np.int64],
    classes: int,
    *,
    seed: int,
    epochs: int = 25,
    batch: int = 128,
) -> Any:
    """Train a fresh network with class-balanced weights; returns the Keras model."""
    tf = _tf()
    model = build_model(x.shape[1], x.shape[2], classes, seed)
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    present = counts > 0
    weights = np.zeros(classes)
    weights[present] = len(y) / (present.sum() * counts[present])
    steps = max(1, len(y) // batch) * epochs
    lr = tf.keras.optimizers.schedules.CosineDecay(3e-3, steps)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(lr),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    order = np.random.default_rng(seed).permutation(len(y))
    model.fit(
        x[order],
        y[order],
        batch_size=batch,
        epochs=epochs,
        verbose=2,
        class_weight={i: float(w) for i, w in enumerate(weights) if w > 0},
    )
    return model


def to_int8_tflite(model: Any, representative: npt.NDArray[np.float32], path: Path) -> int:
    """Convert to a full-integer (int8 in, int8 out) TFLite file; returns its size.

    The exported graph has a fixed batch of one window, the shape the runtime feeds.
    """
    import tempfile

    tf = _tf()
    shape = (1, *representative.shape[1:])
    saved = Path(tempfile.mkdtemp(prefix="classifier-savedmodel-"))
    try:
        # Export through a SavedModel: Keras 3 variables are frozen there, which a
        # concrete function taken directly from the model does not guarantee.
        model.export(
            str(saved),
            format="tf_saved_model",
            verbose=False,
            input_signature=[tf.TensorSpec(shape, tf.float32, name="features")],
        )
        converter = tf.lite.TFLiteConverter.from_saved_model(str(saved))
        converter.optimizations = [tf.lite.Optimize.DEFAULT]

        def rep() -> Any:
            for i in range(min(len(representative), 400)):
                yield [representative[i : i + 1]]

        converter.representative_dataset = rep
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
        blob = converter.convert()
    finally:
        import shutil

        shutil.rmtree(saved, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob)
    log.info("wrote %s (%d bytes)", path, len(blob))
    return len(blob)
