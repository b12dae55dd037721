"""Request bodies, validated by pydantic: an unknown key or a bad value is a 400 that names it."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from perfsight.demo import http
from perfsight.demo.pricing import PricingError, season_table
from perfsight.demo.seed import ROOM_TYPES


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Season(Body):
    name: str = Field(min_length=1, max_length=40)
    start: str
    end: str
    multiplier: float = Field(gt=0, le=10)


class RateListUpdate(Body):
    markup: float | None = Field(default=None, ge=0, le=1)
    weekendSurcharge: float | None = Field(default=None, ge=0, le=1)
    baseRates: dict[str, float] | None = None
    seasons: list[Season] | None = Field(default=None, min_length=1, max_length=24)

    @field_validator("baseRates")
    @classmethod
    def _rooms(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None:
            unknown = sorted(set(value) - set(ROOM_TYPES))
            if unknown:
                raise ValueError(f"unknown room type(s) {unknown}; rooms are {list(ROOM_TYPES)}")
            if any(rate <= 0 for rate in value.values()):
                raise ValueError("rates must be positive")
        return value

    @field_validator("seasons")
    @classmethod
    def _dates(cls, value: list[Season] | None) -> list[Season] | None:
        if value is not None:
            try:
                season_table([s.model_dump() for s in value])
            except PricingError as exc:
                raise ValueError(str(exc)) from None
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class QuoteRequest(Body):
    leadId: str
    itineraryId: str
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)


T = TypeVar("T", bound=Body)


def parse(model: type[T], body: Any) -> T:
    if not isinstance(body, dict):
        raise http.ApiError(400, "the body must be a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in error["loc"]) or "(body)", "error": error["msg"]}
            for error in exc.errors()
        ]
        raise http.ApiError(400, "invalid body", problems=problems) from None
