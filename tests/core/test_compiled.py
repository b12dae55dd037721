"""The compiled hot path's bookkeeping: which modules are built, and a build older than its
source is told apart from a current one (by content, not file times)."""

from __future__ import annotations

import importlib.machinery
import json
from pathlib import Path

from perfsight import compiled


def _tree(root: Path) -> None:
    for name in compiled.MODULES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"# {name}\n")


def _build(root: Path, name: str) -> Path:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    built = root / f"{name.removesuffix('.py')}{suffix}"
    built.write_bytes(b"\x7fELF")
    return built


def test_every_listed_module_exists_and_is_typed_python() -> None:
    for name in compiled.MODULES:
        path = compiled.ROOT / name
        assert path.is_file(), name
        assert "from __future__ import annotations" in path.read_text()


def test_status_tells_compiled_stale_and_source_apart(tmp_path: Path) -> None:
    _tree(tmp_path)
    first, second = compiled.MODULES[0], compiled.MODULES[1]
    _build(tmp_path, first)
    built_second = _build(tmp_path, second)
    manifest = tmp_path / compiled.BUILT_FROM
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(compiled.source_hashes(tmp_path)))

    status = compiled.status(tmp_path)
    assert status[first] == status[second] == "compiled"
    assert {status[name] for name in compiled.MODULES[2:]} == {"source"}
    assert "2/" in compiled.summary(tmp_path) and "STALE" not in compiled.summary(tmp_path)

    (tmp_path / second).write_text("# edited after the build\n")
    assert compiled.status(tmp_path)[second] == "stale"
    assert "1 STALE" in compiled.summary(tmp_path)

    built_second.unlink()
    assert compiled.status(tmp_path)[second] == "source"


def test_a_build_without_its_record_counts_as_stale(tmp_path: Path) -> None:
    _tree(tmp_path)
    _build(tmp_path, compiled.MODULES[0])
    assert compiled.status(tmp_path)[compiled.MODULES[0]] == "stale"


def test_this_checkout_has_no_stale_build() -> None:
    assert "stale" not in compiled.status().values()
