"""Analysing recorded clips: the explain plot of how each set was counted."""
