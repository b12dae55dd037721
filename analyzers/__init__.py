"""Analyzers: pure functions from records to findings. No I/O, deterministic, documented
thresholds; every finding carries its evidence and a concrete fix."""
