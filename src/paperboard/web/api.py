"""The JSON API. Reads mirror the Hugging Face papers API (same paths, parameters and field names), so
``huggingface_hub``'s ``HfApi(endpoint=...)`` works against Paperboard; writes are our own and take an
API token (``Authorization: Bearer ...``). Errors are ``{"error": "..."}`` with a 4xx status."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from .. import hf_json, shapes
from ..board import MAX_COMMENT, paper_id_of
from ..board import Comment as StoredComment
from ..feeds import daily, listing, periods
from ..filter_terms import SYNTAX_LINE, feed_terms
from ..foryou.topics import MOST_EXAMPLES
from .account_mail_pages import send_soon
from .api_schema import (
    ClaimOut,
    Comment,
    DailyItem,
    FeedbackOut,
    FollowOut,
    ForYouItem,
    Links,
    Paper,
    Repos,
    TopicOut,
    Vote,
    responses,
)
from .json_response import JSON
from .params import ApiPage, FeedFilter, ProfileId, TopicId
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
    has_code: Annotated[bool, Query(
        description="Only papers with a code repository (a Paperboard extension).")] = False,
    q: FeedFilter = "",
) -> JSON:
    given = [(k, v) for k, v in (("date", date), ("week", week), ("month", month)) if v]
    if len(given) > 1:
        raise HTTPException(400, "give at most one of date, week and month")
    try:
        period = periods.parse(*given[0]) if given else None
    except periods.PeriodError as exc:
        raise HTTPException(400, str(exc)) from None
    page = site_of(request).board.daily(daily.DailyQuery(period=period, submitter=submitter, sort=sort,
                                                         page=p, limit=limit,
                                                         filters=feed_terms(q, has_code=has_code)))
    return JSON([hf_json.daily_item(e, _base(request)) for e in page.entries])


@router.get("/papers/search", summary="Search papers (Hugging Face compatible)",
            responses=responses(DailyItem, many=True), response_model=None)
def search_papers(
    request: Request,
    q: Annotated[str, Query(max_length=250, description=f"What to look for, with filters: {SYNTAX_LINE}.")
                 ] = "",
    limit: Annotated[int, Query(ge=1, le=120)] = 50,
) -> JSON:
    site = site_of(request)
    if not q.strip():
        return JSON([])
    found = site.board.entries([h.id for h in site.search(request, q, limit=limit).hits])
    return JSON([hf_json.daily_item(e, _base(request)) for e in found])


def _base(request: Request) -> str:
    return site_of(request).config.base_url


def _paper_id(raw: str) -> str:
    return paper_id_of(raw) or raw


# --- writes -----------------------------------------------------------------------------------------

class Submit(BaseModel):
    paper: str = Field(max_length=300, description="arXiv id or URL of the paper to put on today's feed.")


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=MAX_COMMENT, description="Markdown.")


class HubComment(BaseModel):
    comment: str = Field(min_length=1, max_length=MAX_COMMENT, description="Markdown.")


class HubPaperRef(BaseModel):
    arxivId: str = Field(max_length=300, description="arXiv id or URL of the paper.")


class LinksIn(BaseModel):
    githubRepo: str | None = Field(None, max_length=2000, description="Code repository; empty clears it.")
    projectPage: str | None = Field(None, max_length=2000, description="Project page; empty clears it.")


class ClaimIn(BaseModel):
    author: str = Field(min_length=1, max_length=300, description="The author name, as the paper lists it.")


def _comment(posted: StoredComment) -> dict:  # type: ignore[type-arg]
    return {"id": posted.id, "paper": posted.paper_id, "author": posted.author, "body": posted.body,
            "parentId": posted.parent_id, "createdAt": hf_json.timestamp(posted.created_at)}


async def _submit(request: Request, text: str) -> JSON:
    site = site_of(request)
    user = site.api_user(request)
    await site.limited(("write", str(user.id)))
    pid = await run_in_threadpool(site.board.submit, user, text, site.fetch_allowed(request))
    entry = await run_in_threadpool(site.board.entry, pid, user.id)
    return JSON(hf_json.daily_item(entry, _base(request)), status_code=201)


_SUBMITTED = responses(DailyItem, status=201, errors=(400, 401, 404, 413, 429),
                       extra={202: "The paper is being fetched from arXiv: submit again shortly."})


@router.post("/submissions", status_code=201, summary="Submit a paper to today's daily papers",
             response_model=None, responses=_SUBMITTED)
async def api_submit(request: Request, body: Submit) -> JSON:
    return await _submit(request, body.paper)


@router.post("/papers/submit", status_code=201, response_model=None, responses=_SUBMITTED,
             summary="Submit a paper to today's daily papers (the Hub's route)")
async def hub_submit(request: Request, body: HubPaperRef) -> JSON:
    return await _submit(request, body.arxivId)


@router.post("/papers/index", response_model=None, summary="Make sure a paper has its page: fetched from "
             "arXiv when it is not stored yet",
             responses=responses(Paper, errors=(400, 401, 404, 413, 429),
                                 extra={202: "The paper is being fetched from arXiv: ask again shortly."}))
async def hub_index(request: Request, body: HubPaperRef) -> JSON:
    site = site_of(request)
    user = site.api_user(request)
    await site.limited(("write", str(user.id)))
    pid = await run_in_threadpool(site.board.fetched, body.arxivId, site.fetch_allowed(request))
    return JSON(hf_json.paper(await run_in_threadpool(site.board.entry, pid), _base(request)))


def _write_target(request: Request, paper_id: str):  # type: ignore[no-untyped-def]
    site = site_of(request)
    user = site.api_user(request)
    site.limit("write", str(user.id))
    return site, user, _paper_id(paper_id)


def _vote(request: Request, paper_id: str, up: bool) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    return JSON(shapes.vote(pid, site.board.vote(pid, user, up=up), up))


@router.post("/papers/{paper_id:path}/upvote", summary="Upvote a paper (idempotent)", response_model=None,
             responses=responses(Vote, errors=(400, 401, 404, 413, 429)))
def api_upvote(request: Request, paper_id: str) -> JSON:
    return _vote(request, paper_id, up=True)


@router.delete("/papers/{paper_id:path}/upvote", summary="Take an upvote back", response_model=None,
               responses=responses(Vote, errors=(400, 401, 404, 413, 429)))
def api_unvote(request: Request, paper_id: str) -> JSON:
    return _vote(request, paper_id, up=False)


class FeedbackIn(BaseModel):
    signal: Literal["not_interested", "less_like_this", "more_like_this"] = Field(
        description="not_interested: never show it again; less_like_this: its neighbours go down; "
                    "more_like_this: its neighbours go up.")


@router.get("/for-you", summary="Your For you: the papers of the last 30 days (up to the newest listing day) "
            "ranked by what you upvoted, saved and marked, each with why", response_model=None,
            responses=responses(ForYouItem, many=True, errors=(400, 401, 404, 413, 429, 503)))
def for_you(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100, description="Papers to return.")] = 50,
    since: Annotated[str | None, Query(
        max_length=10, description="The first day to rank, YYYY-MM-DD (default: 30 days before the newest).",
    )] = None,
    profile: ProfileId = None,
) -> JSON:
    site = site_of(request)
    user = site.api_user(request)
    site.limit("for_you", str(user.id))
    try:
        first = periods.parse("date", since).start if since else None
    except periods.PeriodError as exc:
        raise HTTPException(400, str(exc)) from None
    got = site.board.for_you(user, since=first, limit=limit, profile=profile)
    return JSON([{**hf_json.daily_item(e, _base(request)), "reason": why} for e, why in got.items],
                headers={"Cache-Control": "private, no-store"})


@router.post("/papers/{paper_id:path}/feedback", summary="Tell For you about a paper (replaces your earlier "
             "feedback on it)", response_model=None,
             responses=responses(FeedbackOut, errors=(400, 401, 404, 413, 429)))
def api_feedback(request: Request, paper_id: str, body: FeedbackIn) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    site.board.feedback(pid, user, body.signal)
    return JSON({"id": pid, "signal": body.signal})


@router.delete("/papers/{paper_id:path}/feedback", summary="Take your feedback on a paper back",
               response_model=None, responses=responses(FeedbackOut, errors=(400, 401, 404, 413, 429)))
def api_feedback_undo(request: Request, paper_id: str) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    site.board.feedback(pid, user, None)
    return JSON({"id": pid, "signal": None})


class TopicIn(BaseModel):
    query: str = Field("", max_length=500, description=f"The filter it saves: {SYNTAX_LINE}.")
    examples: list[Annotated[str, Field(max_length=200)]] = Field(
        [], max_length=MOST_EXAMPLES, description="Example papers (arXiv ids or links): the topic then holds "
        "the papers that pass the filter and are like them. A topic needs a filter, examples or both.")
    name: str = Field("", max_length=100, description="What to call it (default: the query).")
    public: bool = Field(True, description="Anyone with the link may read it; false: only you.")


class ExamplesIn(BaseModel):
    examples: list[Annotated[str, Field(max_length=200)]] = Field(
        max_length=MOST_EXAMPLES, description="The topic's example papers from now on (arXiv ids or links).")


def _topic(t) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {"id": t.id, "name": t.name, "query": t.query, "examples": list(t.examples), "owner": t.owner,
            "public": t.public, "createdAt": hf_json.timestamp(t.created_at)}


@router.post("/topics", status_code=201, summary="Save a filter as a topic: a timeline at /topics/{id} "
             "(.atom, .json) that fills itself, and a place in your For you", response_model=None,
             responses=responses(TopicOut, status=201, errors=(400, 401, 413, 429)))
def api_topic_create(request: Request, body: TopicIn) -> JSON:
    site = site_of(request)
    user = site.api_user(request)
    site.limit("write", str(user.id))
    topic_id = site.board.create_topic(user, body.name, body.query, public=body.public,
                                       examples=body.examples)
    return JSON(_topic(site.board.topic(topic_id, user, limit=0)[0]), status_code=201)


@router.put("/topics/{topic_id}/examples", summary="Replace the example papers of one of your topics",
            response_model=None, responses=responses(TopicOut, errors=(400, 401, 404, 413, 429)))
def api_topic_examples(request: Request, topic_id: TopicId, body: ExamplesIn) -> JSON:
    site = site_of(request)
    user = site.api_user(request)
    site.limit("write", str(user.id))
    site.board.set_topic_examples(user, topic_id, body.examples)
    return JSON(_topic(site.board.topic(topic_id, user, limit=0)[0]))


@router.get("/topics", summary="Your topics", response_model=None,
            responses=responses(TopicOut, many=True, errors=(400, 401, 413, 429)))
def api_topics(request: Request) -> JSON:
    site = site_of(request)
    user = site.api_user(request)
    return JSON([_topic(t) for t in site.board.topics_of(user, user)],
                headers={"Cache-Control": "private, no-store"})


@router.delete("/topics/{topic_id}", summary="Delete one of your topics", response_model=None,
               responses=responses(None, errors=(400, 401, 404, 413, 429)), status_code=204,
               response_class=Response)
def api_topic_delete(request: Request, topic_id: TopicId) -> Response:
    site = site_of(request)
    user = site.api_user(request)
    site.limit("write", str(user.id))
    site.board.delete_topic(user, topic_id)
    return Response(status_code=204)


def _follow(request: Request, name: str, undo: bool, paper: str | None = None) -> JSON:
    site = site_of(request)
    user = site.api_user(request)
    site.limit("write", str(user.id))
    followed, person = site.board.follow(user, name, undo=undo, paper=paper)
    return JSON({"author": followed, "following": not undo, "person": person})


@router.post("/authors/{name}/follow", summary="Follow an author (by name, as papers spell it): their papers "
             "come to your For you", response_model=None,
             responses=responses(FollowOut, errors=(400, 401, 404, 413, 429)))
def api_follow(request: Request, name: Annotated[str, Path(max_length=300)],
               paper: Annotated[str | None, Query(max_length=200, description=(
                   "Follow only the one of the people who write under the name who wrote this paper, as "
                   "their co-authors and fields tell them apart (where they cannot be, the name)."))] = None,
               ) -> JSON:
    return _follow(request, name, undo=False, paper=paper)


@router.delete("/authors/{name}/follow", summary="Stop following an author", response_model=None,
               responses=responses(FollowOut, errors=(400, 401, 404, 413, 429)))
def api_unfollow(request: Request, name: Annotated[str, Path(max_length=300)]) -> JSON:
    return _follow(request, name, undo=True)


@router.post("/papers/{paper_id:path}/comments", status_code=201, summary="Comment on a paper",
             response_model=None, responses=responses(Comment, status=201, errors=(400, 401, 404, 413, 429)))
def api_comment(request: Request, paper_id: str, body: CommentIn) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    return JSON(_comment(site.board.comment(pid, user, body.body)), status_code=201)


@router.post("/papers/{paper_id:path}/comment", status_code=201, response_model=None,
             summary="Comment on a paper (the Hub's route)",
             responses=responses(Comment, status=201, errors=(400, 401, 404, 413, 429)))
def hub_comment(request: Request, paper_id: str, body: HubComment) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    return JSON(_comment(site.board.comment(pid, user, body.comment)), status_code=201)


@router.post("/papers/{paper_id:path}/comment/{comment_id}/reply", status_code=201,
             summary="Reply to a comment (a reply to a reply joins its thread)", response_model=None,
             responses=responses(Comment, status=201, errors=(400, 401, 404, 413, 429)))
def hub_reply(request: Request, paper_id: str, comment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
              body: HubComment) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    said = site.board.comment(pid, user, body.comment, reply_to=comment_id)
    return send_soon(site, JSON(_comment(said), status_code=201))  # its thread may be owed a mail


@router.get("/papers/{paper_id:path}/comments", summary="Comments on a paper, oldest first",
            response_model=None, responses=responses(Comment, many=True, errors=(400, 404, 413, 429)))
def api_comments(request: Request, paper_id: str) -> JSON:
    said = site_of(request).board.comments(_paper_id(paper_id))
    return JSON([_comment(c) for c in said])


@router.post("/papers/{paper_id:path}/links", response_model=None,
             summary="Set a paper's code repository and project page (a verified author; the submitter's "
                     "are shown as a suggestion)",
             responses=responses(Links, errors=(400, 401, 403, 404, 413, 429)))
def paper_links_set(request: Request, paper_id: str, body: LinksIn) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    given = {kind: value for kind, value in (("code", body.githubRepo), ("project", body.projectPage))
             if value is not None}
    if not given:
        raise HTTPException(400, "give githubRepo, projectPage or both")
    links = site.board.set_links(pid, user, given)
    author = user.username in site.board.entry(pid).verified.values()
    return JSON({"id": pid, "githubRepo": links.get("code"), "projectPage": links.get("project"),
                 "suggested": not author})


@router.post("/papers/{paper_id:path}/claim", status_code=201, response_model=None,
             summary="Claim to be one of a paper's authors (confirmed by an administrator)",
             responses=responses(ClaimOut, status=201, errors=(400, 401, 404, 413, 429)))
def paper_claim(request: Request, paper_id: str, body: ClaimIn) -> JSON:
    site, user, pid = _write_target(request, paper_id)
    done = site.board.claim_authorship(pid, body.author, user)
    return JSON({"id": done.id, "paper": done.paper_id, "author": done.author_name, "user": done.username,
                 "status": done.status, "createdAt": hf_json.timestamp(done.created_at)}, status_code=201)


def _cursor(text: str | None) -> listing.Cursor | None:
    if not text:
        return None
    try:
        padded = text.encode() + b"=" * (-len(text) % 4)
        day, bar, pid = base64.b64decode(padded, altchars=b"-_", validate=True).decode().partition("|")
        if bar and pid:
            return (dt.date.fromisoformat(day) if day else None), pid
    except ValueError:
        pass
    raise HTTPException(400, "cursor is not one this API gave out")


@router.get("/papers", summary="Every paper, newest first, a page at a time (the Hub's /api/papers)",
            responses=responses(Paper, many=True), response_model=None)
def list_papers(
    request: Request,
    cursor: Annotated[str | None, Query(max_length=200,
                                        description="From the Link header of the page before.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> JSON:
    entries, after = site_of(request).board.papers(_cursor(cursor), limit)
    headers = {}
    if after is not None:
        token = base64.urlsafe_b64encode(f"{after[0] or ''}|{after[1]}".encode()).decode().rstrip("=")
        # from the configured address, never the request's Host: the answer is cached for everyone
        after_url = request.url.include_query_params(cursor=token)
        headers["Link"] = f'<{_base(request)}{after_url.path}?{after_url.query}>; rel="next"'
    return JSON([hf_json.paper(e, _base(request)) for e in entries], headers=headers)


@router.get("/arxiv/{paper_id:path}/repos", summary="Models, datasets and Spaces that cite a paper",
            responses=responses(Repos, errors=(400, 404, 413, 429)), response_model=None)
def arxiv_repos(request: Request, paper_id: Annotated[str, Path(max_length=200)]) -> JSON:
    site_of(request).board.entry(_paper_id(paper_id))  # NotFound for a paper that is not stored
    return JSON({"models": [], "datasets": [], "spaces": []})  # nothing on this site links repositories


@router.get("/papers/{paper_id:path}", summary="One paper (Hugging Face compatible)", response_model=None,
            responses=responses(Paper, errors=(400, 404, 413, 429)))
def paper_info(request: Request, paper_id: Annotated[str, Path(max_length=200)]) -> JSON:
    return JSON(hf_json.paper(site_of(request).board.entry(_paper_id(paper_id)), _base(request)))
