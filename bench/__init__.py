"""Benchmarks: speed and memory, printed with ratios against same-run baselines."""
