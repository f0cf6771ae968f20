"""Occurrences of recurring duties: each period of a monthly, quarterly, half-yearly, yearly
or twice-a-year duty is owed on its own due date. Pure.

An assignment holds one current occurrence (`cycle_due`). "Done" closes it and the next one
opens. One nobody closes stays current — overdue, and reminded as such — until the next
occurrence's reminders begin (`window` days before its due date); then it is closed as
missed and the next opens by itself, so a missed June report never hides July's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plan.recurrence import next_recurring_due

ONE_DAY = dt.timedelta(days=1)
CONTINUOUS = "continuous"  # "Thường xuyên": no due date, a periodic progress check-in


@dataclass(frozen=True)
class Recurrence:
    """How a duty repeats: plan.recurrence's period and days (`Deadline.days`)."""

    period: str
    days: tuple[tuple[int, ...], ...] = ()

    @property
    def dated(self) -> bool:
        return self.period != CONTINUOUS

    def _days(self) -> tuple[tuple[int, int], ...]:
        return tuple((int(d[0]), int(d[1])) for d in self.days if len(d) == 2)

    def first_due(self, start: dt.date | None, today: dt.date) -> dt.date | None:
        """The occurrence tracking starts with: the first one due on or after the later of
        the duty's start and the day it is first tracked (earlier ones were never owed)."""
        if not self.dated:
            return None
        return next_recurring_due(self.period, max(start or today, today), self._days())

    def next_due(self, current: dt.date) -> dt.date | None:
        """The occurrence after the one due on `current`."""
        return next_recurring_due(self.period, current + ONE_DAY, self._days()) \
            if self.dated else None

    def current_on(self, current: dt.date, day: dt.date, window: int) -> dt.date:
        """The occurrence current on `day` if nobody closes any: `current` stays until
        `window` days before the next one is due."""
        for _ in range(1000):  # a bound, not a limit any real plan reaches
            following = self.next_due(current)
            if following is None or day < following - dt.timedelta(days=window):
                return current
            current = following
        return current

    def missed_between(self, current: dt.date, day: dt.date, window: int) -> list[dt.date]:
        """Occurrences closed as missed when moving from `current` to the one current on
        `day` (empty when it is still current)."""
        out = []
        target = self.current_on(current, day, window)
        while current < target:
            out.append(current)
            following = self.next_due(current)
            if following is None:
                break
            current = following
        return out
