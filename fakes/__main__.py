"""Run a fake Bot API server as its own process: `python -m fakes telegram|zalo --port N`.

Used by benchmarks (so the fake does not share the measured process) and for demos.
"""

from __future__ import annotations

import argparse

import uvicorn

from fakes import telegram, zalo


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fakes")
    parser.add_argument("platform", choices=["telegram", "zalo"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token")
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument("--any-callback", action="store_true",
                        help="answer every callback query id (benchmarks forge their updates)")
    args = parser.parse_args()
    if args.platform == "telegram":
        fake = telegram.FakeTelegram(rate_limits=not args.no_rate_limits,
                                     accept_any_callback=args.any_callback)
        if args.token:
            fake.token = args.token
        app = telegram.create_app(fake)
    else:
        fake_zalo = zalo.FakeZalo()
        if args.token:
            fake_zalo.token = args.token
        app = zalo.create_app(fake_zalo)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
