"""The root of perfsight.toml: one validated object, every table typed."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from perfsight.config.analysis import AnalysisSettings
from perfsight.config.collect import CollectSettings
from perfsight.config.dashboard import DashboardSettings
from perfsight.config.load import LoadSettings
from perfsight.config.mongo import MongoSettings
from perfsight.config.prometheus import PrometheusSettings
from perfsight.config.redis import RedisSettings
from perfsight.config.schedule import ScheduleSettings
from perfsight.config.store import StoreSettings
from perfsight.config.target import TargetSettings
from perfsight.errors import ThresholdError
from perfsight.thresholds import Threshold, parse_table, profile

ENV_PREFIX = "PERFSIGHT_"
ENV_DELIMITER = "__"

ThresholdTable = dict[str, list[str | dict[str, Any]]]


class Settings(BaseSettings):
    """Everything perfsight can be told: the file, overridden by PERFSIGHT_<TABLE>__<KEY>."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        extra="forbid",
        case_sensitive=False,
        validate_default=True,
    )

    mongo: MongoSettings = Field(default_factory=MongoSettings, description="MongoDB sources.")
    redis: RedisSettings = Field(default_factory=RedisSettings, description="Redis servers.")
    prometheus: PrometheusSettings = Field(
        default_factory=PrometheusSettings, description="Prometheus server and exporter."
    )
    collect: CollectSettings = Field(
        default_factory=CollectSettings, description="Continuous collection (perfsight collect)."
    )
    target: TargetSettings = Field(
        default_factory=TargetSettings, description="The API under test."
    )
    thresholds: ThresholdTable | None = Field(
        default=None,
        description="metric[{scope}] = [k6 expressions]. Present: replaces the default profile.",
    )
    load: LoadSettings = Field(default_factory=LoadSettings, description="Load runs.")
    analysis: AnalysisSettings = Field(
        default_factory=AnalysisSettings, description="Analyzer thresholds and allow-lists."
    )
    schedule: ScheduleSettings = Field(
        default_factory=ScheduleSettings, description="Scheduled jobs."
    )
    store: StoreSettings = Field(default_factory=StoreSettings, description="The store.")
    dashboard: DashboardSettings = Field(
        default_factory=DashboardSettings, description="The browser dashboard."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment overrides them.
        return (env_settings, init_settings)

    @field_validator("thresholds")
    @classmethod
    def _thresholds_parse(cls, value: ThresholdTable | None) -> ThresholdTable | None:
        if value is not None:
            try:
                parse_table(value)
            except ThresholdError as exc:
                raise ValueError(str(exc)) from exc
        return value

    def threshold_list(self, profile_name: str | None = None) -> list[Threshold]:
        """The thresholds in force: an explicit profile name wins, then [thresholds], then
        ``[load] profile``."""
        if profile_name is not None:
            return profile(profile_name)
        if self.thresholds is not None:
            return parse_table(self.thresholds)
        return profile(self.load.profile)


TABLES: tuple[str, ...] = tuple(Settings.model_fields)
