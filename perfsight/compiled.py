"""The modules compiled to C with mypyc when perfsight is installed: the per-event hot path of an
analysis (reading log lines, normalising, fingerprinting, the analyzers' ``feed``).

They are ordinary, type-checked Python; mypyc turns them into extension modules next to their
sources (``setup.py``), which Python imports in preference to the ``.py`` file. That makes a
million-line analysis about 1.7× faster (``bench/README.md``). Without a C compiler the build
falls back to the plain sources: same results, slower.

A compiled module is only as new as its last build: after editing one of these files, rebuild
(``make install`` does when a source changed; the tests refuse to run against a stale build).

Rules for a module in this list (mypyc's, checked by the build and the test suite): no class of
it is subclassed outside the list, no function of it is replaced at run time (monkeypatching),
and its objects are not pickled or copied — compiled frozen dataclasses and classes with a
required ``__init__`` argument cannot be restored. The exceptions, pickled between the
processes of a parallel analysis and tested there (``tests/analyze/test_parallel.py``): the
shape statistics and the analyzers with a ``merge``. Values typed ``float`` become floats when
compiled (an ``int`` argument is converted): keep the types honest so that both builds agree.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILT_FROM = "perfsight/compiled_sources.json"  # written by setup.py: the hashes it compiled

MODULES = (
    "analyzers/bursts.py",
    "analyzers/events.py",
    "analyzers/fingerprint.py",
    "analyzers/idle_groups.py",
    "analyzers/indexes.py",
    "analyzers/masking.py",
    "analyzers/nplusone.py",
    "analyzers/pagination.py",
    "analyzers/pattern_stats.py",
    "analyzers/queries_per_request.py",
    "analyzers/request_patterns.py",
    "analyzers/request_stream.py",
    "analyzers/requests.py",
    "analyzers/shape_parts.py",
    "analyzers/shape_table.py",
    "analyzers/shapes.py",
    "collectors/extjson.py",
    "collectors/line_document.py",
    "collectors/log_chunks.py",
    "collectors/mongo_log.py",
    "collectors/mongo_normalize.py",
)


def source_hashes(root: Path = ROOT) -> dict[str, str]:
    """The listed sources' SHA-256: what the build records next to the extensions."""
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in MODULES}


def _built(source: Path) -> bool:
    stem = source.with_suffix("")
    return any(
        Path(f"{stem}{suffix}").exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES
    )


def status(root: Path = ROOT) -> dict[str, str]:
    """Each listed module: ``compiled``, ``source`` (not built: runs as Python) or ``stale``
    (built from another version of the file: Python would import the old build)."""
    try:
        recorded = json.loads((root / BUILT_FROM).read_text())
    except (OSError, ValueError):
        recorded = {}
    current = source_hashes(root)
    out: dict[str, str] = {}
    for name in MODULES:
        if not _built(root / name):
            out[name] = "source"
        else:
            out[name] = "compiled" if recorded.get(name) == current[name] else "stale"
    return out


def summary(root: Path = ROOT) -> str:
    """One line for ``--version`` and the benchmarks: how the hot path runs."""
    states = status(root).values()
    compiled = sum(state == "compiled" for state in states)
    stale = sum(state == "stale" for state in states)
    text = f"hot path compiled with mypyc: {compiled}/{len(MODULES)} modules"
    return text + (f", {stale} STALE (rebuild: make install)" if stale else "")
