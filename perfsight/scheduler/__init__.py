"""``perfsight schedule``: APScheduler 3.x jobs under a single-instance lock in the store."""
