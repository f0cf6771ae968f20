"""The tracking core (pure): the working-day calendar and the objects reminders are made of.

The policy (`scheduler.policy`), storage and reports share these, so "due" and "late" are
decided from one calendar.
"""
