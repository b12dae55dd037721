"""`perfsight store prune|info`: maintenance of the store."""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table
from sqlalchemy import func, inspect, select
from sqlalchemy import table as table_clause

from perfsight.cli.context import err, open_store, out, settings_from
from perfsight.config.redact import redact_url
from perfsight.durations import duration_option, format_duration
from perfsight.store.migrations import MIGRATIONS, applied_versions
from perfsight.store.prune import prune


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "store", help="Maintain the store (prune, info).", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    prune_cmd = actions.add_parser("prune", help="Delete data older than the retention.")
    prune_cmd.add_argument(
        "--older-than",
        metavar="DURATION",
        help="e.g. 30d (default: [store] retention)",
    )
    prune_cmd.set_defaults(handler=_prune)
    info = actions.add_parser("info", help="Show the store URL, schema version and row counts.")
    info.set_defaults(handler=_info)
    return parser


def _prune(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    text = args.older_than or settings.store.retention
    seconds = duration_option(text, "--older-than")
    with open_store(settings) as store:
        counts = prune(store, seconds)
    total = sum(counts.values())
    err.print(f"pruned {total} rows older than {format_duration(seconds)}")
    for table, count in counts.items():
        if count:
            out.print(f"{table}: {count}")
    return 0


def _info(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with open_store(settings) as store:
        rows = Table(title=f"store {redact_url(store.url)}")
        rows.add_column("table")
        rows.add_column("rows", justify="right")
        names = sorted(inspect(store.engine).get_table_names())
        with store.read() as conn:
            versions = applied_versions(conn)
            for name in names:
                count = conn.execute(
                    select(func.count()).select_from(table_clause(name))
                ).scalar_one()
                rows.add_row(name, str(count))
        out.print(rows)
        latest = max(m.version for m in MIGRATIONS)
        out.print(f"schema version {max(versions, default=0)} (latest {latest})")
    return 0
