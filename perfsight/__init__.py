"""perfsight: an observability-first performance dashboard and profiler for web APIs."""

__version__ = "0.1.0"
