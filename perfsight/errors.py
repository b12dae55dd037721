"""The exception hierarchy. Every error a user can cause or a source can raise is one of these.

The CLI turns any ``PerfsightError`` into a one-paragraph message and exit code 2; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations


class PerfsightError(Exception):
    """Base class. ``source`` names what failed (a config field, a file, a server)."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class ConfigError(PerfsightError):
    """A setting is missing, unknown or has a bad value."""


class ThresholdError(PerfsightError):
    """A threshold expression cannot be parsed or does not fit its metric."""


class InputError(PerfsightError):
    """An input file or stream cannot be read at all (unreadable lines are counted, not raised)."""


class HostNotAllowed(PerfsightError):
    """A component was about to send traffic to a host outside ``[target] allowed_hosts``."""


class SourceUnavailable(PerfsightError):
    """A server (MongoDB, Redis, Prometheus, the target API) did not answer in time."""


class SourceResponseError(PerfsightError):
    """A server answered, but not with what was asked (a bad query, refused access, a reply
    perfsight cannot read)."""


class ServiceError(PerfsightError):
    """A helper server (redis-server, prometheus) could not be started."""


class StoreError(PerfsightError):
    """The store cannot be opened or migrated."""


class NotBuiltError(PerfsightError):
    """A CLI subcommand whose feature has not been built yet."""
