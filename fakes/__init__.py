"""Local fake Bot API servers (real HTTP on 127.0.0.1) for tests, benchmarks and demos.

They reproduce the platforms' envelopes, errors and limits as recorded in
shared/docs/chat-platforms.md, so the real clients can be exercised offline.
"""
