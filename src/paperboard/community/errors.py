"""Errors a person can cause and fix; their messages are shown to them as they are."""


class CommunityError(ValueError):
    """Refused input: bad username, duplicate submission, unknown paper, ..."""


class NotFound(CommunityError):
    """The paper, user or collection asked for does not exist."""
