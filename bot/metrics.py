"""Prometheus metrics: handler latency measured in-process, the rest read from the database
at scrape time (so every process behind one database reports the same truth)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest

from storage.health import Vitals

REGISTRY = CollectorRegistry()
HANDLER_SECONDS = Histogram(
    "nhacviec_handler_seconds", "Time to handle one incoming message or button press",
    ["channel"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY)
OUTBOX = Gauge("nhacviec_outbox_messages", "Outbox messages by channel and state "
               "(pending, sending, sent, failed, dead)", ["channel", "state"], registry=REGISTRY)
OLDEST = Gauge("nhacviec_outbox_oldest_pending_seconds",
               "Age of the oldest message not yet delivered (0 when none)", registry=REGISTRY)
SWEEP_TIME = Gauge("nhacviec_last_sweep_timestamp_seconds",
                   "When the last daily sweep started (Unix time)", registry=REGISTRY)
SWEEP_SECONDS = Gauge("nhacviec_last_sweep_duration_seconds",
                      "How long the last daily sweep took", registry=REGISTRY)
UNREACHABLE = Gauge("nhacviec_unreachable_contacts",
                    "Linked contacts the platform refused (blocked the bot, deleted account)",
                    ["channel"], registry=REGISTRY)
INBOX = Gauge("nhacviec_inbox_updates", "Stored updates not yet handled or replied to "
              "(waiting), and those whose handling or reply failed at least once (failing)",
              ["state"], registry=REGISTRY)
RECEIVING = Gauge("nhacviec_receiving_ok", "1 while this process receives from the platform "
                  "without errors, 0 while its receive loop is failing", ["platform"],
                  registry=REGISTRY)


def render(vitals: Vitals, now: dt.datetime, receiving: dict[str, str] | None = None) -> bytes:
    """The /metrics body; `receiving`: this process's receive loops (platform → "ok" or
    the reason they fail)."""
    INBOX.labels("waiting").set(vitals.inbox_waiting)
    INBOX.labels("failing").set(vitals.inbox_failing)
    RECEIVING.clear()
    for platform, state in (receiving or {}).items():
        RECEIVING.labels(platform).set(1 if state == "ok" else 0)
    OUTBOX.clear()
    for (channel, state), count in vitals.outbox.items():
        OUTBOX.labels(channel, state).set(count)
    OLDEST.set((now - vitals.oldest_pending).total_seconds() if vitals.oldest_pending else 0)
    if vitals.last_sweep_started:
        SWEEP_TIME.set(vitals.last_sweep_started.timestamp())
        if vitals.last_sweep_finished:
            SWEEP_SECONDS.set((vitals.last_sweep_finished
                               - vitals.last_sweep_started).total_seconds())
    UNREACHABLE.clear()
    for channel, count in vitals.unreachable.items():
        UNREACHABLE.labels(channel).set(count)
    return bytes(generate_latest(REGISTRY))


def timer(channel: str) -> Callable[[], None]:
    """Start timing one handled message; call the result when done."""
    started = time.perf_counter()
    return lambda: HANDLER_SECONDS.labels(channel).observe(time.perf_counter() - started)
