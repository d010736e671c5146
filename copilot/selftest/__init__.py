"""Scripted agents for the self-test (Qt-free)."""
