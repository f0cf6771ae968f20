"""Daily deadline sweep and reminder dispatch (APScheduler 3) — the reminder engine.

`calendar` and `policy` are pure; `sweep` and `dispatch` do the I/O; `nhacviec run` schedules
them (daily cron for the sweep, a short interval for the dispatcher).
"""
