"""Daily deadline sweep and reminder dispatch (APScheduler 3) — the reminder engine.

The engine is being built under issue #3; nothing in this package runs yet.
"""
