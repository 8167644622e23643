"""How the daily feed ranks papers (pure).

Trending is the community's upvotes with time decay, in the manner of news aggregators::

    score = (upvotes + 1) / (hours since submission + 2) ** 1.5

The +1 lets a fresh paper without votes rank by recency among its peers; the +2 hours keeps the first
minutes from dominating; the exponent 1.5 halves a paper's score roughly every 1.6x of its age, so a paper
with 10 upvotes a day ago ranks with one of about 52 upvotes three days ago.
"""

from __future__ import annotations

import datetime as dt

GRAVITY = 1.5
OFFSET_HOURS = 2.0


def trending_score(upvotes: int, submitted_at: dt.datetime, now: dt.datetime) -> float:
    hours = max(0.0, (now - submitted_at).total_seconds() / 3600)
    return (max(upvotes, 0) + 1) / (hours + OFFSET_HOURS) ** GRAVITY
