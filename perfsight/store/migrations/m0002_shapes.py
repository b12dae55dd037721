"""Query-shape statistics per time bucket, and readers' positions in the files they follow.

``query_shapes`` is keyed by source (which input the statistics come from), shape and bucket,
so analysing the same file again replaces its rows instead of counting twice, while statistics
read in pieces (``collect``) merge into their bucket. ``file_cursors`` keeps, per consumer
(``collect``, a report), where it stopped in each profile or log file.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

VERSION = 2
NAME = "query_shapes"

metadata = MetaData()

query_shapes = Table(
    "query_shapes",
    metadata,
    Column("source", String(500), primary_key=True),
    Column("shape_id", String(16), primary_key=True),  # analyzers.shapes.shape_id
    Column("bucket_start", Float, primary_key=True),
    Column("bucket_seconds", Float, nullable=False),
    Column("namespace", String(300), nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("op", String(40), nullable=False),
    Column("command", String(100)),
    Column("count", Integer, nullable=False),
    Column("total_millis", Float, nullable=False),
    Column("max_millis", Float, nullable=False),
    Column("p50_millis", Float),
    Column("p95_millis", Float),
    Column("millis_hist", JSON, nullable=False),  # {"12": 3, …}: exact below 1 s
    Column("docs_examined", BigInteger, nullable=False),
    Column("keys_examined", BigInteger, nullable=False),
    Column("nreturned", BigInteger, nullable=False),
    Column("returned", BigInteger, nullable=False),  # nreturned, or nMatched/ndeleted
    Column("response_length", BigInteger, nullable=False),
    Column("in_memory_sorts", Integer, nullable=False),
    Column("disk_uses", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("plans", JSON, nullable=False),
    Column("query_hashes", JSON, nullable=False),
    Column("example", JSON),
    Column("first_seen", Float),
    Column("last_seen", Float),
    Column("updated_at", Float, nullable=False),
    Index("ix_query_shapes_bucket", "bucket_start"),
    Index("ix_query_shapes_namespace", "namespace"),
)

file_cursors = Table(
    "file_cursors",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("path", String(1000), primary_key=True),
    Column("offset", BigInteger, nullable=False),
    Column("line", BigInteger, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("inode", String(40), nullable=False),  # can exceed a signed 64-bit integer
    Column("device", String(40), nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("mode", String(10)),
    Column("updated_at", Float, nullable=False),
)


def upgrade(connection: Connection) -> None:
    metadata.create_all(connection)
