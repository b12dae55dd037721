"""k6-style stages as Locust's LoadTestShape sees them every second."""

from __future__ import annotations

import pytest

from loadruns.stages import peak_users, tick, total_duration

STAGES = [(10.0, 20), (20.0, 20), (10.0, 0)]


@pytest.mark.parametrize(
    ("elapsed", "users"),
    [(0.0, 0), (5.0, 10), (9.99, 20), (10.0, 20), (29.0, 20), (35.0, 10), (39.9, 0)],
)
def test_users_ramp_linearly_between_targets(elapsed: float, users: int) -> None:
    result = tick(STAGES, elapsed)
    assert result is not None and result[0] == users


def test_spawn_rate_follows_the_slope_at_least_one_per_second() -> None:
    assert tick(STAGES, 1.0) == (2, 2.0)
    assert tick([(100.0, 5)], 50.0) == (2, 1.0)
    assert tick(STAGES, 15.0) == (20, 1.0)


def test_spawn_rate_catches_up_across_a_stage_boundary() -> None:
    # At 1 s the first stage (0 -> 3 in 1 s) is over and the flat one has slope 0: Locust
    # must still get from 0 to 3 users within the next second.
    assert tick([(1.0, 3), (2.0, 3)], 1.0) == (3, 3.0)


def test_stops_after_the_last_stage() -> None:
    assert tick(STAGES, 40.0) is None
    assert total_duration(STAGES) == 40.0
    assert peak_users(STAGES) == 20


def test_a_zero_length_stage_jumps() -> None:
    assert tick([(0.0, 5), (10.0, 5)], 0.0) == (5, 5.0)
    assert tick([(2.0, 1), (0.0, 9), (5.0, 9)], 2.5) == (9, 8.0)
