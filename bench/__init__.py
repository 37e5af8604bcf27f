"""Benchmarks (DESIGN.md §8): one script per benchmark, each printing its figures as one JSON line, last."""
