"""Dataset building, training and evaluation of the exercise classifier (``train`` extra)."""
