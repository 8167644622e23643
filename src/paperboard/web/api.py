"""The JSON API. Reads mirror the Hugging Face papers API (same paths, parameters and field names), so
``huggingface_hub``'s ``HfApi(endpoint=...)`` works against Paperboard; writes are our own and take an
API token (``Authorization: Bearer ...``). Errors are ``{"error": "..."}`` with a 4xx status."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from .. import hf_json
from ..board import paper_id_of
from ..community import comments
from ..feeds import daily, periods
from .api_schema import Comment, DailyItem, Paper, Vote, responses
from .json_response import JSON
from .params import ApiPage
from .site import site_of

router = APIRouter(prefix="/api", default_response_class=JSON)


@router.get("/daily_papers", summary="Daily papers (Hugging Face compatible)",
            responses=responses(DailyItem, many=True), response_model=None)
def daily_papers(
    request: Request,
    p: ApiPage = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="Papers per page.")] = 50,
    date: Annotated[str | None, Query(description="A day, YYYY-MM-DD.")] = None,
    week: Annotated[str | None, Query(description="An ISO week, YYYY-Www.")] = None,
    month: Annotated[str | None, Query(description="A month, YYYY-MM.")] = None,
    submitter: Annotated[str | None, Query(description="Username of the submitter.")] = None,
    sort: Annotated[Literal["publishedAt", "trending"], Query(
        description="publishedAt: newest submissions first; trending: upvotes with time decay.",
    )] = "publishedAt",
) -> JSON:
    given = [(k, v) for k, v in (("date", date), ("week", week), ("month", month)) if v]
    if len(given) > 1:
        raise HTTPException(400, "give at most one of date, week and month")
    try:
        period = periods.parse(*given[0]) if given else None
    except periods.PeriodError as exc:
        raise HTTPException(400, str(exc)) from None
    page = site_of(request).board.daily(daily.DailyQuery(period=period, submitter=submitter, sort=sort,
                                                         page=p, limit=limit))
    return JSON([hf_json.daily_item(e) for e in page.entries])


@router.get("/papers/search", summary="Search papers (Hugging Face compatible)",
            responses=responses(DailyItem, many=True), response_model=None)
def search_papers(
    request: Request,
    q: Annotated[str, Query(max_length=250, description="What to look for.")] = "",
    limit: Annotated[int, Query(ge=1, le=120)] = 50,
) -> JSON:
    board = site_of(request).board
    if not q.strip():
        return JSON([])
    found = board.entries([h.id for h in board.search(q, limit=limit).hits])
    return JSON([hf_json.daily_item(e) for e in found])


def _paper_id(raw: str) -> str:
    return paper_id_of(raw) or raw


# --- writes -----------------------------------------------------------------------------------------

class Submit(BaseModel):
    paper: str = Field(max_length=300, description="arXiv id or URL of the paper to put on today's feed.")


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=comments.MAX_COMMENT, description="Markdown.")


@router.post("/submissions", status_code=201, summary="Submit a paper to today's daily papers",
             response_model=None,
             responses=responses(DailyItem, status=201, errors=(400, 401, 404, 413, 429),
                                 extra={202: "The paper is being fetched from arXiv: submit again shortly."}))
async def api_submit(request: Request, body: Submit) -> JSON:
    site = site_of(request)
    user = site.api_user(request)
    await site.limited(("write", str(user.id)))
    pid = await run_in_threadpool(site.board.submit, user, body.paper, site.fetch_allowed(request))
    entry = await run_in_threadpool(site.board.entry, pid, user.id)
    return JSON(hf_json.daily_item(entry), status_code=201)


def _write_target(request: Request, paper_id: str):  # type: ignore[no-untyped-def]
    site = site_of(request)
    user = site.api_user(request)
    site.limit("write", str(user.id))
    return site, user, _paper_id(paper_id)


def _vote(request: Request, paper_id: str, up: bool) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    return JSON({"id": pid, "upvotes": site.board.vote(pid, user, up=up), "upvoted": up})


@router.post("/papers/{paper_id:path}/upvote", summary="Upvote a paper (idempotent)", response_model=None,
             responses=responses(Vote, errors=(400, 401, 404, 413, 429)))
def api_upvote(request: Request, paper_id: str) -> JSON:
    return _vote(request, paper_id, up=True)


@router.delete("/papers/{paper_id:path}/upvote", summary="Take an upvote back", response_model=None,
               responses=responses(Vote, errors=(400, 401, 404, 413, 429)))
def api_unvote(request: Request, paper_id: str) -> JSON:
    return _vote(request, paper_id, up=False)


@router.post("/papers/{paper_id:path}/comments", status_code=201, summary="Comment on a paper",
             response_model=None, responses=responses(Comment, status=201, errors=(400, 401, 404, 413, 429)))
def api_comment(request: Request, paper_id: str, body: CommentIn) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    posted = site.board.comment(pid, user, body.body)
    return JSON({"id": posted.id, "paper": pid, "author": posted.author, "body": posted.body,
                 "createdAt": hf_json.timestamp(posted.created_at)}, status_code=201)


@router.get("/papers/{paper_id:path}/comments", summary="Comments on a paper, oldest first",
            response_model=None, responses=responses(Comment, many=True, errors=(400, 404, 413, 429)))
def api_comments(request: Request, paper_id: str) -> JSON:
    said = site_of(request).board.comments(_paper_id(paper_id))
    return JSON([{"id": c.id, "author": c.author, "body": c.body,
                  "createdAt": hf_json.timestamp(c.created_at)} for c in said])


@router.get("/papers/{paper_id:path}", summary="One paper (Hugging Face compatible)", response_model=None,
            responses=responses(Paper, errors=(400, 404, 413, 429)))
def paper_info(request: Request, paper_id: Annotated[str, Path(max_length=200)]) -> JSON:
    return JSON(hf_json.paper(site_of(request).board.entry(_paper_id(paper_id))))
