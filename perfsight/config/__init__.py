"""perfsight.toml: the settings declaration, loading, redaction and generated docs."""

from perfsight.config.loader import config_path, load_config
from perfsight.config.redact import redact_url, redacted_dump
from perfsight.config.settings import Settings

__all__ = ["Settings", "config_path", "load_config", "redact_url", "redacted_dump"]
