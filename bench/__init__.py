"""Benchmarks (`make bench`): each case runs in a fresh process; medians are printed."""
