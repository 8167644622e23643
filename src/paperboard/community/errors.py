"""Errors a person can cause and fix; their messages are shown to them as they are, with ``status`` as
the HTTP status a web front end answers with."""


class CommunityError(ValueError):
    """Refused input: bad username, duplicate submission, unknown paper, ..."""

    status = 400


class NotFound(CommunityError):
    """The paper, user or collection asked for does not exist."""

    status = 404


class Pending(CommunityError):
    """The paper is being fetched from arXiv: ask again in a few seconds."""

    status = 202


class Busy(CommunityError):
    """Too much is queued (by this client or in all) to take more now."""

    status = 429
