"""Errors raised while reading sources; each says where and why."""

from __future__ import annotations


class RecordError(ValueError):
    """One record is malformed. It is reported with its location and skipped; the rest is stored."""


class SourceError(RuntimeError):
    """A whole source (file, feed, endpoint) cannot be read. Nothing from it is half-stored."""
