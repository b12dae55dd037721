"""Reading system.profile incrementally (mongomock): no document twice, none skipped, the
rollover gap reported with its length and an estimate of what was lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from bson import json_util
from bson.json_util import JSONOptions

from collectors.input_report import InputReport
from collectors.mongo_normalize import ReadOptions
from collectors.mongo_profiler import PROFILE_COLLECTION, ProfileCursor, ProfileReader, to_ms
from collectors.profile_file import read_profile_file
from tests.live.conftest import T0, TARGET, profile_doc, seconds


def _reader(mongo: Any, report: InputReport | None = None, **kwargs: Any) -> ProfileReader:
    return ProfileReader(
        mongo, ["travel"], target=TARGET, options=ReadOptions(), report=report, **kwargs
    )


def _insert(mongo: Any, *docs: dict[str, Any]) -> None:
    mongo["travel"][PROFILE_COLLECTION].insert_many([dict(d) for d in docs])


def test_reads_each_document_once_across_polls(mongo: Any) -> None:
    _insert(mongo, *(profile_doc(T0 + seconds(i), tenant=f"t{i}") for i in range(5)))
    reader = _reader(mongo)
    first = reader.read({})
    assert len(first.events) == 5
    assert first.gaps == []
    cursor = first.cursors()["travel"]
    assert cursor.ts_ms == to_ms(T0 + seconds(4))

    assert reader.read({"travel": cursor}).events == []  # nothing new: nothing again

    _insert(mongo, *(profile_doc(T0 + seconds(5 + i), tenant=f"n{i}") for i in range(3)))
    second = reader.read({"travel": cursor})
    assert [e.ts for e in second.events] == [T0 + seconds(5 + i) for i in range(3)]
    assert reader.report.documents == 8 and reader.report.events == 8


def test_documents_written_in_the_cursor_millisecond_after_a_read_are_not_lost(
    mongo: Any,
) -> None:
    # Two operations end in the same millisecond; the read happens between their inserts.
    same = T0 + seconds(10)
    _insert(mongo, profile_doc(same, tenant="a"))
    reader = _reader(mongo)
    first = reader.read({})
    cursor = first.cursors()["travel"]
    assert len(first.events) == 1 and len(cursor.seen) == 1
    _insert(mongo, profile_doc(same, tenant="b"), profile_doc(same + seconds(1), tenant="c"))
    second = reader.read({"travel": cursor})
    assert sorted(e.raw["command"]["filter"]["tenant"] for e in second.events) == ["b", "c"]  # type: ignore[index]


def test_rollover_gap_reports_how_long_and_roughly_how_many(mongo: Any) -> None:
    _insert(mongo, *(profile_doc(T0 + seconds(i)) for i in range(10)))
    reader = _reader(mongo)
    cursor = reader.read({}).cursors()["travel"]  # at T0+9s
    # The capped collection fills and overwrites: everything up to T0+39s is gone, the
    # documents of T0+40s..T0+59s (one a second) are what is left.
    profile = mongo["travel"][PROFILE_COLLECTION]
    profile.delete_many({})
    _insert(mongo, *(profile_doc(T0 + seconds(40 + i)) for i in range(20)))

    poll = reader.read({"travel": cursor})
    assert len(poll.events) == 20
    (gap,) = poll.gaps
    assert gap.database == "travel"
    assert gap.since == T0 + seconds(9) and gap.until == T0 + seconds(40)
    assert gap.seconds == 31.0
    assert gap.estimated_lost == 31  # 20 documents over 19 s: one a second
    assert "31.0 s of operations lost" in gap.describe()
    assert "roughly 31 documents" in gap.describe()
    assert any("rolled over" in n for n in reader.report.notices)


def test_no_gap_when_the_oldest_document_is_one_already_read(mongo: Any) -> None:
    _insert(mongo, *(profile_doc(T0 + seconds(i)) for i in range(3)))
    reader = _reader(mongo)
    cursor = reader.read({}).cursors()["travel"]
    mongo["travel"][PROFILE_COLLECTION].delete_many({"ts": {"$lt": T0 + seconds(2)}})
    _insert(mongo, profile_doc(T0 + seconds(3)))
    poll = reader.read({"travel": cursor})
    assert poll.gaps == [] and len(poll.events) == 1


def test_a_read_is_bounded_and_the_next_one_continues(mongo: Any) -> None:
    _insert(mongo, *(profile_doc(T0 + seconds(i), tenant=f"t{i}") for i in range(7)))
    reader = _reader(mongo, max_documents=3)
    cursors: dict[str, ProfileCursor | None] = {}
    seen = []
    for _ in range(4):
        poll = reader.read(cursors)
        cursors.update(poll.cursors())
        seen += [e.ts for e in poll.events]
        if not poll.reads[0].more:
            break
    assert seen == [T0 + seconds(i) for i in range(7)]


def test_bad_documents_are_counted_with_their_reason(mongo: Any) -> None:
    good = profile_doc(T0)
    broken = {k: v for k, v in profile_doc(T0 + seconds(1)).items() if k != "millis"}
    _insert(mongo, good, broken)
    report = InputReport()
    poll = _reader(mongo, report).read({})
    assert len(poll.events) == 1
    assert report.rejected == 1
    assert report.rejections[0].reason == "missing field 'millis'"
    assert report.rejections[0].source == f"{TARGET} travel.system.profile"


def test_live_documents_give_the_fingerprints_of_an_export(
    mongo: Any, samples_dir: Path, tmp_path: Path
) -> None:
    """The same real documents read live (as pymongo returns them) and from a mongoexport
    file normalise to the same events."""
    options = JSONOptions(tz_aware=True)
    for name in ("datadog-system.profile-7.x.json", "percona-toolkit-profile-4.4.extjson.json"):
        path = samples_dir / name
        documents = json_util.loads(path.read_text(), json_options=options)
        database = documents[0]["ns"].partition(".")[0]
        mongo[database][PROFILE_COLLECTION].insert_many([dict(d) for d in documents])
        reader = ProfileReader(mongo, [database], target=TARGET, options=ReadOptions())
        live = reader.read({}).events
        exported = tmp_path / f"{name}.jsonl"
        exported.write_bytes(
            b"\n".join(orjson.dumps(orjson.loads(json_util.dumps(d))) for d in documents)
        )
        from_file = list(read_profile_file(exported, options=ReadOptions()))
        assert len(live) == len(documents) == len(from_file)
        for a, b in zip(live, from_file, strict=True):
            assert (a.fingerprint, a.namespace, a.op, a.plan_summary) == (
                b.fingerprint,
                b.namespace,
                b.op,
                b.plan_summary,
            )
            assert (a.millis, a.docs_examined, a.nreturned, a.ts) == (
                b.millis,
                b.docs_examined,
                b.nreturned,
                b.ts,
            )
