"""Coaching: what to say during a set (cue policy) and the set summaries."""
