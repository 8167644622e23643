"""Errors a person can cause and fix, raised by the library and shown as they are by every front end.

``status`` is the answer an HTTP front end gives for each kind; the library itself knows nothing of HTTP.
"""


class PaperboardError(ValueError):
    """Refused input: a bad username, a duplicate submission, a query that does not parse, ..."""

    status = 400


class NotFound(PaperboardError):
    """The paper, user or collection asked for does not exist."""

    status = 404


class Pending(PaperboardError):
    """The paper is being fetched from arXiv: ask again in a few seconds."""

    status = 202


class Busy(PaperboardError):
    """Too much is queued (by this client or in all) to take more now."""

    status = 429


class Forbidden(PaperboardError):
    """Understood, but this person may not do it."""

    status = 403


class Unavailable(PaperboardError):
    """A part of the service cannot answer now (the search index is unreadable or being rebuilt); the
    message says why. Everything else keeps working."""

    status = 503


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message says why and what to do."""
