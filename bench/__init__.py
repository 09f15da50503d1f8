"""Benchmarks: commands that print figures. They are not tests."""
