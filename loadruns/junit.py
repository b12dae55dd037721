"""``--junit F``: one JUnit testcase per threshold, so a CI server lists each target as a test.

A failed threshold is a ``<failure>`` carrying the observed value against the target; a threshold
that nothing measured is ``<skipped>`` (a ``<failure>`` with ``--strict``), never a pass.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from loadruns.formatting import observed_text
from loadruns.result import RunResult
from perfsight.errors import PerfsightError
from perfsight.thresholds import Outcome

SUITE = "perfsight loadcheck"


def build(result: RunResult, *, strict: bool = False) -> ET.ElementTree:
    outcomes = result.outcomes
    failures = sum(o.status == "fail" or (strict and o.status == "not_measured") for o in outcomes)
    skipped = sum(o.status == "not_measured" for o in outcomes) if not strict else 0
    attrs = {
        "name": SUITE,
        "tests": str(len(outcomes)),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(skipped),
        "time": f"{result.duration:.3f}",
    }
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            **attrs,
            "name": f"{SUITE} {result.target}",
            "timestamp": datetime.fromtimestamp(result.started_at, tz=UTC).isoformat(
                timespec="seconds"
            ),
            "hostname": socket.gethostname(),
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in [("run_id", result.run_id), ("status", result.status)] + [
        (f"tag.{k}", v) for k, v in sorted(result.tags.items())
    ]:
        ET.SubElement(properties, "property", {"name": name, "value": str(value)})
    for outcome in outcomes:
        _testcase(suite, outcome, strict=strict)
    ET.indent(root)
    return ET.ElementTree(root)


def _testcase(suite: ET.Element, outcome: Outcome, *, strict: bool) -> None:
    threshold = outcome.threshold
    case = ET.SubElement(
        suite,
        "testcase",
        {"classname": f"thresholds.{threshold.target}", "name": threshold.name, "time": "0"},
    )
    observed = observed_text(outcome)
    if outcome.status == "fail":
        message = f"{observed}, expected {threshold.expression}"
        failure = ET.SubElement(case, "failure", {"message": message, "type": "threshold"})
        lines = [f"{threshold.name}: observed {observed} ({outcome.source or 'unknown'})"]
        lines += [blame["text"] for blame in outcome.extra.get("attribution", [])]
        lines += list(outcome.extra.get("caveats", []))
        failure.text = "\n".join(lines)
    elif outcome.status == "not_measured":
        why = outcome.detail or "nothing measured this metric"
        tag = "failure" if strict else "skipped"
        ET.SubElement(case, tag, {"message": f"not measured: {why}"})
    else:
        ET.SubElement(case, "system-out").text = f"{observed} ({outcome.source})"


def write_junit(result: RunResult, path: str, *, strict: bool = False) -> None:
    try:
        build(result, strict=strict).write(path, encoding="utf-8", xml_declaration=True)
    except OSError as exc:
        raise PerfsightError(f"cannot write the JUnit XML: {exc}", source=str(Path(path))) from exc
