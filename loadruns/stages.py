"""k6-style stages: ``[{duration: 30s, target: 20}, {duration: 1m, target: 20}, …]``.

Each stage ramps the number of users linearly from where the previous stage ended (0 at the
start) to its ``target`` over its ``duration``. Locust's ``LoadTestShape`` asks every second how
many users it should run and how fast to get there; these pure functions answer.
"""

from __future__ import annotations

from collections.abc import Sequence

StagePlan = Sequence[tuple[float, int]]  # (duration in seconds, target users)


def total_duration(stages: StagePlan) -> float:
    return float(sum(duration for duration, _ in stages))


def users_at(stages: StagePlan, elapsed: float) -> tuple[int, float] | None:
    """Users the stages ask for at ``elapsed`` seconds, and the current stage's slope (users
    per second); None once the last stage is over."""
    start_users = 0
    stage_start = 0.0
    for duration, target in stages:
        if elapsed < stage_start + duration:
            fraction = (elapsed - stage_start) / duration if duration > 0 else 1.0
            users = round(start_users + (target - start_users) * fraction)
            return users, abs(target - start_users) / duration if duration > 0 else 0.0
        stage_start += duration
        start_users = target
    return None


def tick(stages: StagePlan, elapsed: float) -> tuple[int, float] | None:
    """``(users, spawn_rate)`` at ``elapsed`` seconds, or None once the last stage is over.

    Locust asks once a second; the spawn rate is fast enough to get from the previous answer to
    this one within that second (a stage boundary or a zero-length stage included), and at
    least the stage's slope and 1 user/s, so Locust follows the ramp instead of lagging it.
    """
    now = users_at(stages, elapsed)
    if now is None:
        return None
    users, slope = now
    before = users_at(stages, elapsed - 1.0) if elapsed >= 1.0 else (0, 0.0)  # starts at 0
    step = abs(users - before[0]) if before is not None else 0
    return users, max(1.0, slope, float(step))


def peak_users(stages: StagePlan) -> int:
    return max((target for _, target in stages), default=0)
