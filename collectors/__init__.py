"""Collectors: turn a source (MongoDB profiler and logs, Redis INFO, Prometheus, the target's
HTTP endpoints) into typed records. One file per source; clients, clocks and paths are injected;
every call has a time limit; an unreachable source is a typed error, never a crash."""
