"""Understudy: a local Amazon WorkSpaces endpoint."""

__version__ = "0.1.0"
