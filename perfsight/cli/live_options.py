"""The ``--live`` options of ``perfsight analyze`` (the live profiler itself is imported only
when ``--live`` is given: pymongo is no start-up cost for file analysis)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("live profiler (--live)")
    group.add_argument(
        "--live",
        action="store_true",
        help="read system.profile of a running server ([mongo] uri and databases)",
    )
    group.add_argument(
        "--mongo-uri",
        metavar="URI",
        help="the server (default [mongo] uri; PERFSIGHT_MONGO__URI keeps a password off the "
        "command line); never printed with its password",
    )
    group.add_argument(
        "--database",
        metavar="NAME",
        action="append",
        default=[],
        help="a database whose system.profile to read (repeatable; default [mongo] databases)",
    )
    group.add_argument(
        "--for",
        dest="window",
        metavar="DURATION",
        help="watch for this long (10m, 1h), reading system.profile every [mongo] "
        "poll_interval; Ctrl-C ends it early",
    )
    group.add_argument(
        "--profile-level",
        type=int,
        choices=(0, 1, 2),
        help="set this profiling level for the --for window, then restore the previous one "
        "(also after Ctrl-C, an error, or at the next run after a crash)",
    )
    group.add_argument(
        "--slowms",
        type=int,
        metavar="MS",
        help="slowms to set with --profile-level (server-wide; restored too)",
    )
