"""Analysing recorded clips: the report, the annotated video and the explain plot."""
