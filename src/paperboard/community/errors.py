"""The community verbs raise the library's errors (:mod:`paperboard.errors`); ``CommunityError`` is
their common base under the name these modules have always used."""

from ..errors import Busy, NotFound, Pending
from ..errors import PaperboardError as CommunityError

__all__ = ["Busy", "CommunityError", "NotFound", "Pending"]
