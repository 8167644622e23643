"""Bounded request parameters shared by the pages and the API: a value out of range is a 400 that says
the range, never a database overflow."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from ..filter_terms import SYNTAX_LINE

MAX_PAGE = 100_000  # 3 million papers at 30 a page
MAX_ROW_ID = 2**31 - 1  # the largest id an INTEGER primary key holds on PostgreSQL

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
ApiPage = Annotated[int, Query(ge=0, le=MAX_PAGE, description="Page number, from 0.")]
CollectionId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Collection id.")]
TopicId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Topic id.")]
ProfileId = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description=(
    "One of your collections: For you ranked by its papers alone (an interest profile with its own feed)."))]
FeedFilter = Annotated[str, Query(max_length=500, description=(
    f"Filter terms (words and phrases: the title, abstract or keywords must hold them): {SYNTAX_LINE}."))]
