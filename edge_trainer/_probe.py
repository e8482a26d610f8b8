def f():
    from edge_trainer.b import y
