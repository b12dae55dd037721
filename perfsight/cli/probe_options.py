"""The ``--probe`` options of ``perfsight analyze`` (the probe itself, with httpx and the store,
is imported only when ``--probe`` is given: a large log's analysis starts without them)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "HTTP probe", "Call the API's GET list endpoints and static files ([target] settings)."
    )
    group.add_argument(
        "--probe",
        action="store_true",
        help="probe [target] list_endpoints, static_assets and the openapi document for "
        "unpaginated lists, uncompressed responses and static files without Cache-Control",
    )
    group.add_argument(
        "--probe-endpoint",
        action="append",
        default=[],
        metavar="PATH",
        help="a GET list endpoint to probe as well (path, 'GET /path' or URL; repeatable)",
    )
    group.add_argument("--probe-openapi", metavar="FILE_OR_URL", help="instead of [target] openapi")
    group.add_argument("--probe-base-url", metavar="URL", help="instead of [target] base_url")
    group.add_argument(
        "--probe-json", action="store_true", help="print the probe's records and findings as JSON"
    )
    group.add_argument(
        "--probe-no-store", action="store_true", help="do not write the findings to the store"
    )
