"""Drop unused output heads from a TFLite model in memory, so LiteRT never computes them.

The BlazePose landmark model also predicts a 256x256 segmentation mask, which costs
about a third of its run time; the box never uses it. LiteRT runs every operator in the
graph whatever outputs are read, so the only way to skip that head is to rewrite the
graph without it. The file on disk is untouched (its hash still matches the manifest);
the rewrite happens at load time and keeps every other operator and weight as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)


def drop_outputs(content: bytes, drop_shapes: Iterable[tuple[int, ...]]) -> bytes | None:
    """Rewrite a single-subgraph model without the outputs of the given shapes.

    Operators that feed only the dropped outputs are removed; everything else is kept.

    Args:
        content: The ``.tflite`` file's bytes.
        drop_shapes: Exact shapes of the outputs to remove.

    Returns:
        The new model bytes, or None when nothing was dropped or the model cannot be
        rewritten here (the caller then runs the original model).
    """
    try:
        import flatbuffers
        from ai_edge_litert import schema_py_generated as schema
    except ImportError:
        log.info("TFLite schema not available; running the model with all its outputs")
        return None
    drop = {tuple(s) for s in drop_shapes}
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(content, 0))
    if model.subgraphs is None or len(model.subgraphs) != 1:
        return None
    graph = model.subgraphs[0]
    tensors = graph.tensors or []
    outputs = [int(i) for i in (graph.outputs if graph.outputs is not None else [])]
    keep = [i for i in outputs if tuple(int(d) for d in tensors[i].shape) not in drop]
    if len(keep) == len(outputs) or not keep:
        return None
    needed = set(keep)
    kept_ops = []
    for op in reversed(graph.operators or []):
        op_outputs = [int(i) for i in (op.outputs if op.outputs is not None else [])]
        if any(i in needed for i in op_outputs):
            kept_ops.append(op)
            needed.update(int(i) for i in (op.inputs if op.inputs is not None else []) if i >= 0)
    kept_ops.reverse()
    log.debug(
        "pruned %d of %d operators (dropped outputs of shapes %s)",
        len(graph.operators or []) - len(kept_ops),
        len(graph.operators or []),
        sorted(drop),
    )
    graph.operators = kept_ops
    graph.outputs = keep
    builder = flatbuffers.Builder(len(content) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
