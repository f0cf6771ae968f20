"""Working days in Vietnam: weekends, public holidays (lunar Tết and Giỗ Tổ included, via the
`holidays` package), plus the days off and make-up working days a province announces.
Pure: computed, never read from disk or network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import holidays

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days; everything else in the reminder policy builds on this."""

    days_off: frozenset[dt.date]
    working_days: frozenset[dt.date] = frozenset()  # make-up Saturdays and the like

    @classmethod
    def vietnam(cls, years: Iterable[int], extra_days_off: Iterable[dt.date] = (),
                extra_working_days: Iterable[dt.date] = ()) -> WorkCalendar:
        public = holidays.country_holidays("VN", years=sorted(set(years)))
        return cls(frozenset(public) | frozenset(extra_days_off), frozenset(extra_working_days))

    def is_working(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def on_or_before(self, day: dt.date) -> dt.date:
        """The working day itself, or the last one before it."""
        while not self.is_working(day):
            day -= ONE_DAY
        return day

    def on_or_after(self, day: dt.date) -> dt.date:
        """The working day itself, or the first one after it."""
        while not self.is_working(day):
            day += ONE_DAY
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """`count` working days after `day` (day itself not counted)."""
        while count > 0:
            day += ONE_DAY
            if self.is_working(day):
                count -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]."""
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            count += self.is_working(day)
        return count
