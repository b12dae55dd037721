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

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _extensions() -> list[object]:
    if os.environ.get("PERFSIGHT_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # building without the build requirements (e.g. an old pip)
        return []
    modules = _COMPILED["MODULES"]
    # one shared library inside the package (a top-level one would escape an editable install)
    extensions = mypycify(
        list(modules), opt_level="3", debug_level="0", group_name="perfsight.hotpath"
    )
    for extension in extensions:
        extension.optional = True  # no compiler: warn and install the sources
    return list(extensions)


_COMPILED = runpy.run_path("perfsight/compiled.py")
_SHARED = "perfsight.hotpath__mypyc"  # the shared library of the group (group_name + suffix)


class RecordingBuildExt(build_ext):
    """``build_ext`` that records which sources the extensions were built from — only for the
    modules whose extensions did build (an optional extension that fails only warns), and
    only after the build: ``perfsight.compiled.status()`` then tells a stale build from a
    current one by content (file times cannot: setuptools skips unchanged C and keeps old
    times)."""

    def run(self) -> None:
        self._built: set[str] = set()
        super().run()
        if _SHARED not in self._built:
            return
        everything = _COMPILED["source_hashes"](Path.cwd())
        hashes = {
            name: digest
            for name, digest in everything.items()
            if name.removesuffix(".py").replace("/", ".") in self._built
        }
        text = json.dumps(hashes, indent=1, sort_keys=True) + "\n"
        targets = [Path(_COMPILED["BUILT_FROM"])]
        if not self.inplace:
            targets.append(Path(self.build_lib) / _COMPILED["BUILT_FROM"])
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)

    def build_extension(self, ext: Extension) -> None:
        super().build_extension(ext)
        self._built.add(ext.name)


setup(ext_modules=_extensions(), cmdclass={"build_ext": RecordingBuildExt})
