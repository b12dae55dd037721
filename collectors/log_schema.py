"""The part of a logv2 "Slow query" line perfsight reads, as a msgspec schema.

A slow-query line is ~900 bytes, about half of them fields nobody reads (``locks``,
``storage``, ``flowControl``, ``lsid``…). Decoding into these structs skips those without
building Python objects for them: ~2.0 µs a line instead of orjson's ~2.9 µs for the whole
document (``bench/README.md``). ``collectors.mongo_normalize.Normalizer.log_line`` takes the
result; anything unusual in a line (a missing or oddly typed field, an error reply) goes
through the ordinary path (``Normalizer.log_entry`` on the whole parsed document), so both
give the same event and the same rejection messages (``tests/analyze/test_log_schema.py``).

Not compiled (``perfsight.compiled``): msgspec structs are C types that mypyc cannot subclass.
Every field defaults to ``UNSET``, so a field that is absent is told apart from one that is
``null``. ``gc=False``: a decoded line holds no reference cycles, and untracked structs are
cheaper to make and free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from msgspec import UNSET


class SlowQueryAttr(msgspec.Struct, gc=False):
    """The attr fields ``Normalizer.log_entry`` reads (a test compares the two). The order
    matters: ``collectors.mongo_normalize`` reads them by position (``astuple``) and checks
    the order when it is imported."""

    ns: Any = UNSET
    command: Any = UNSET
    durationMillis: Any = UNSET
    type: Any = UNSET
    originatingCommand: Any = UNSET
    reslen: Any = UNSET
    remote: Any = UNSET
    docsExamined: Any = UNSET
    keysExamined: Any = UNSET
    nreturned: Any = UNSET
    nMatched: Any = UNSET
    ndeleted: Any = UNSET
    planSummary: Any = UNSET
    appName: Any = UNSET
    queryShapeHash: Any = UNSET
    queryHash: Any = UNSET
    planCacheShapeHash: Any = UNSET
    hasSortStage: Any = UNSET
    scanAndOrder: Any = UNSET
    usedDisk: Any = UNSET
    cursorExhausted: Any = UNSET
    errCode: Any = UNSET
    errMsg: Any = UNSET
    errName: Any = UNSET
    ok: Any = UNSET


class LogLine(msgspec.Struct, gc=False):
    t: Any = UNSET
    id: Any = UNSET
    c: Any = UNSET
    ctx: Any = UNSET
    attr: SlowQueryAttr | None = None  # (an attr that is not an object fails the decode)


# A line's schema fields; raises one of DECODE_ERRORS when it is not JSON or not shaped like a
# log entry (the caller then parses it whole, for orjson's message). (The decoder's own method:
# a wrapper function would cost an interpreted call per line.)
decode_line: Callable[[bytes], LogLine] = msgspec.json.Decoder(LogLine).decode
DECODE_ERRORS = (msgspec.DecodeError,)  # ValidationError is a DecodeError
