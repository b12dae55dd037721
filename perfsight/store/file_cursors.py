"""Where each consumer (``collect``, a report, a load run) stopped in each file it follows.

cursor = load_cursor(store, "collect", path)          # None: never read
reader = ProfileFileReader(path, cursor=cursor, incremental=True)
...
save_cursor(store, "collect", reader.cursor)
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Connection, delete, select

from collectors.file_input import FileCursor
from perfsight.store import Store
from perfsight.store.tables import file_cursors


def load_cursor(store: Store, consumer: str, path: str | Path) -> FileCursor | None:
    absolute = str(Path(path).resolve())
    with store.read() as conn:
        row = conn.execute(
            select(file_cursors).where(
                file_cursors.c.consumer == consumer, file_cursors.c.path == absolute
            )
        ).first()
    if row is None:
        return None
    return FileCursor(
        path=row.path,
        offset=row.offset,
        line=row.line,
        size=row.size,
        inode=int(row.inode),
        device=int(row.device),
        head_hash=row.head_hash,
        mode=row.mode,
    )


def save_cursor(
    store: Store, consumer: str, cursor: FileCursor, *, now: float | None = None
) -> None:
    with store.write() as conn:
        write_cursor(conn, consumer, cursor, now=now)


def write_cursor(
    conn: Connection, consumer: str, cursor: FileCursor, *, now: float | None = None
) -> None:
    """``save_cursor`` inside a caller's transaction (with what was read up to the cursor)."""
    values = {
        "consumer": consumer,
        "path": cursor.path,
        "offset": cursor.offset,
        "line": cursor.line,
        "size": cursor.size,
        "inode": str(cursor.inode),
        "device": str(cursor.device),
        "head_hash": cursor.head_hash,
        "mode": cursor.mode,
        "updated_at": time.time() if now is None else now,
    }
    conn.execute(
        delete(file_cursors).where(
            file_cursors.c.consumer == consumer, file_cursors.c.path == cursor.path
        )
    )
    conn.execute(file_cursors.insert().values(**values))
