"""Run the sample travel-CRM API:

    python -m perfsight.demo.server --mode before|after --port 8000 \\
        --profile-file .perfsight/demo/system.profile.jsonl --redis-url redis://127.0.0.1:6379/0

Without ``MONGODB_URI`` the data lives in mongomock inside the process and every operation is
written to ``--profile-file`` as a SIMULATED ``system.profile`` document. With ``MONGODB_URI``
the API uses that server (database ``--database``) and its real profiler; no file is written.
Environment defaults: ``PERFSIGHT_DEMO_MODE``, ``PERFSIGHT_DEMO_REDIS_URL``, ``MONGODB_URI``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from perfsight.config import load_config
from perfsight.config.redact import redact_url
from perfsight.demo.app import build_app
from perfsight.demo.config import (
    DEFAULT_PROFILE_FILE,
    DEFAULT_REDIS_PREFIX,
    DemoConfig,
    default_profile_file,
)
from perfsight.demo.indexes import MODES
from perfsight.demo.seed import SIZES
from perfsight.demo.state import create_state
from perfsight.errors import PerfsightError


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="python -m perfsight.demo.server",
        description="The sample travel-CRM API perfsight measures (see perfsight/demo/README.md).",
    )
    parse.add_argument(
        "--mode",
        choices=MODES,
        default=os.environ.get("PERFSIGHT_DEMO_MODE", "before"),
        help="before: the planted problems; after: their fixes (env PERFSIGHT_DEMO_MODE)",
    )
    parse.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parse.add_argument("--port", type=int, default=8000)
    parse.add_argument("--size", choices=tuple(SIZES), default="small", help="seed data size")
    parse.add_argument(
        "--profile-file",
        type=Path,
        help="where mongomock mode appends the simulated system.profile documents (default: "
        f"the first [mongo] profile_files entry of perfsight.toml, else {DEFAULT_PROFILE_FILE})",
    )
    parse.add_argument(
        "--redis-url",
        default=os.environ.get("PERFSIGHT_DEMO_REDIS_URL"),
        help="Redis for the pricing cache and the email queue, required in after mode "
        "(default: env PERFSIGHT_DEMO_REDIS_URL, else [redis] url of perfsight.toml)",
    )
    parse.add_argument("--redis-prefix", default=DEFAULT_REDIS_PREFIX, help="prefix of our keys")
    parse.add_argument("--database", default="travel", help="database name (with MONGODB_URI)")
    parse.add_argument(
        "--smtp-ms", type=int, default=300, help="duration of the simulated SMTP exchange"
    )
    parse.add_argument(
        "--db-rtt-ms",
        type=float,
        default=2.0,
        help="mongomock mode: simulated network round trip per database operation (ms)",
    )
    return parse


def config_from(args: argparse.Namespace) -> DemoConfig:
    """The process's settings; what the command line leaves out comes from perfsight's config
    (``[mongo] profile_files``, ``[redis] url``), so perfsight reads what the API writes."""
    profile, redis_url = args.profile_file, args.redis_url
    if profile is None or redis_url is None:
        settings = load_config()
        profile = default_profile_file(profile, settings.mongo.profile_files)
        redis_url = redis_url or settings.redis.url
    return DemoConfig(
        mode=args.mode,
        size=args.size,
        redis_url=redis_url,
        redis_prefix=args.redis_prefix,
        profile_file=profile.resolve(),
        mongodb_uri=os.environ.get("MONGODB_URI") or None,
        database=args.database,
        smtp_ms=max(0, args.smtp_ms),
        db_rtt_ms=max(0.0, args.db_rtt_ms),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = config_from(args)
        state = create_state(config)
    except PerfsightError as exc:
        print(f"sample API: {exc}", file=sys.stderr)
        return 2
    for warning in state.warnings:
        print(f"sample API: warning: {warning}", file=sys.stderr)
    where = (
        f"MongoDB {redact_url(config.mongodb_uri)} (its real profiler)"
        if config.mongodb_uri
        else f"mongomock; SIMULATED profile -> {config.profile_file}"
    )
    print(
        f"sample API ({config.mode}, {config.size}) on http://{args.host}:{args.port} — {where}",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        build_app(state), host=args.host, port=args.port, log_level="warning", access_log=False
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
