"""Compiles the analysis hot path with mypyc (the list: ``perfsight/compiled.py``).

Everything else about the package is in pyproject.toml. The extensions are optional: without a
C compiler (or with ``PERFSIGHT_PURE_PYTHON=1``) the build warns and installs the plain
sources, which give the same results more slowly.
"""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path

from setuptools import setup


def _extensions() -> list[object]:
    if os.environ.get("PERFSIGHT_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # building without the build requirements (e.g. an old pip)
        return []
    compiled = runpy.run_path("perfsight/compiled.py")
    modules = compiled["MODULES"]
    # what is compiled, by content: perfsight.compiled.status() tells a stale build from a
    # current one (file times cannot: setuptools skips unchanged C and keeps old times)
    hashes = compiled["source_hashes"](Path.cwd())
    Path(compiled["BUILT_FROM"]).write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
    # one shared library inside the package (a top-level one would escape an editable install)
    extensions = mypycify(
        list(modules), opt_level="3", debug_level="0", group_name="perfsight.hotpath"
    )
    for extension in extensions:
        extension.optional = True  # no compiler: warn and install the sources
    return list(extensions)


setup(ext_modules=_extensions())
