"""For you on the site: the signed-in reader's page, the feedback buttons on its cards, the list of
feedback given (each can be taken back), following authors, and topics (saved filters, each a
timeline with Atom and JSON feeds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from .. import hf_json
from ..board import User, paper_id_of
from ..clock import utcnow
from .atom import atom_feed
from .json_response import JSON
from .params import ProfileId, TopicId
from .site import site_of

router = APIRouter(include_in_schema=False)

SAID = {"not_interested": "Not interested: it will not be shown again.",
        "less_like_this": "Fewer papers like this one from now on.",
        "more_like_this": "More papers like this one from now on."}
NO_STORE = {"Cache-Control": "no-store"}
PRIVATE = {"Cache-Control": "private, no-store"}


def _own_page(request: Request, template: str, context: Callable[[User], dict[str, Any]]) -> Response:
    """A page of the signed-in reader's own (never cached); anyone else is sent to sign in first."""
    site = site_of(request)
    user = site.viewer(request)
    if user is None:
        return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
    response = site.page(request, template, **context(user))
    response.headers.update(NO_STORE)
    return response


@router.get("/for-you")
def for_you(request: Request, profile: ProfileId = None) -> Response:
    """The reader's For you; ``profile``: one of their collections, ranked by alone."""
    site = site_of(request)

    def context(user: User) -> dict[str, Any]:
        site.limit("for_you", str(user.id))
        profiles = [(cid, name) for cid, name, size in site.board.collections_of(user, user) if size]
        return {"found": site.board.for_you(user, limit=50, profile=profile), "profile": profile,
                "profiles": profiles, "profile_name": dict(profiles).get(profile or 0),
                "following": site.board.following(user), "feed_token": site.board.feed_token(user)}

    return _own_page(request, "for_you.html", context)


@router.get("/feeds/for-you/{token}.atom")
def for_you_atom(request: Request, token: Annotated[str, Path(max_length=100)],
                 profile: ProfileId = None) -> Response:
    """A reader's For you for a feed reader: the link is the key (see paperboard.foryou.feed_keys)."""
    site = site_of(request)
    user = site.board.feed_reader(token)
    site.limit("for_you", str(user.id))
    found = site.board.for_you(user, limit=50, profile=profile)
    base = site.config.base_url
    query = f"?profile={profile}" if profile else ""
    body = atom_feed(title=f"Paperboard: For you ({user.username})",
                     feed_url=f"{base}/feeds/for-you/{token}.atom{query}", page_url=f"{base}/for-you{query}",
                     base_url=base, entries=[e for e, _ in found.items], now=utcnow())
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=PRIVATE)


@router.post("/for-you/feed/rotate")
async def rotate_feed(request: Request) -> Response:
    site = site_of(request)
    _, user = await site.write_form(request)
    await run_in_threadpool(site.board.rotate_feed_token, user)
    site.flash(request, "New private feed links: the old ones no longer work.")
    return site.back(request, "/for-you")


@router.get("/for-you/feedback")
def feedback_list(request: Request) -> Response:
    board = site_of(request).board
    return _own_page(request, "feedback.html", lambda user: {"given": board.feedback_given(user)})


@router.post("/follow")
async def follow_post(request: Request) -> Response:
    """Follow the author ``author`` (or stop, with ``undo``); back to the page the form was on."""
    site = site_of(request)
    form, user = await site.write_form(request)
    author, undo = form.get("author", "").strip(), bool(form.get("undo"))
    paper = form.get("paper", "").strip() or None  # one of the people who write under the name
    name, person = await run_in_threadpool(lambda: site.board.follow(user, author, undo=undo, paper=paper))
    said = (f"You no longer follow {name}." if undo else
            f"You follow the {name} who wrote {person}: their new papers come to your For you." if person else
            f"You follow {name}: their new papers come to your For you.")
    return site.done(request, {"author": name, "following": not undo, "person": person}, said,
                     f"/authors/{quote(name)}")


@router.post("/feedback")
async def feedback_post(request: Request) -> Response:
    """``signal`` one of the For you signals, or empty to take the feedback on ``paper`` back."""
    site = site_of(request)
    form, user = await site.write_form(request)
    paper, signal = form.get("paper", ""), form.get("signal") or None
    # another signal is a 400 that says which there are
    await run_in_threadpool(site.board.feedback, paper, user, signal)
    said = SAID.get(signal or "", "Feedback taken back.")
    return site.done(request, {"paper": paper, "signal": signal}, said, "/for-you")


# --- topics -------------------------------------------------------------------------------------------

@router.get("/topics")
def topics_page(request: Request) -> Response:
    board = site_of(request).board
    return _own_page(request, "topics.html", lambda user: {
        "topics": board.topics_of(user, user), "query": request.query_params.get("q", "")[:500],
        "examples": request.query_params.get("example", "")[:200]})


@router.post("/topics")
async def topic_create(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    query, examples = form.get("query", ""), _ids(form.get("examples", ""))
    topic_id = await run_in_threadpool(lambda: site.board.create_topic(
        user, form.get("name", ""), query, public=not form.get("private"), examples=examples))
    site.flash(request, "Topic saved: it fills itself as papers arrive, and its papers come to your For you.")
    return RedirectResponse(f"/topics/{topic_id}", status_code=303)


def _ids(text: str) -> list[str]:
    """Paper ids or URLs as someone lists them: separated by spaces, commas or lines."""
    return text.replace(",", " ").split()[:100]


@router.post("/topics/{topic_id}/examples")
async def topic_examples(request: Request, topic_id: TopicId) -> Response:
    """Add the paper ``paper`` to a topic's examples, or take it out (``remove``)."""
    site = site_of(request)
    form, user = await site.write_form(request)
    paper = form.get("paper", "").strip()

    def change() -> tuple[str, ...]:  # set_topic_examples refuses a topic that is not the user's
        topic, _ = site.board.topic(topic_id, user, limit=0)
        if form.get("remove"):
            return site.board.set_topic_examples(user, topic_id, [
                e for e in topic.examples if e != paper_id_of(paper)])
        return site.board.set_topic_examples(user, topic_id, [*topic.examples, paper])

    kept = await run_in_threadpool(change)
    said = ("Example taken out." if form.get("remove") else
            "Example added: the topic now holds papers like it.")
    return site.done(request, {"topic": topic_id, "examples": list(kept)}, said, f"/topics/{topic_id}")


@router.post("/topics/{topic_id}/delete")
async def topic_delete(request: Request, topic_id: TopicId) -> Response:
    site = site_of(request)
    _, user = await site.write_form(request)
    await run_in_threadpool(site.board.delete_topic, user, topic_id)
    site.flash(request, "Topic deleted.")
    return RedirectResponse("/topics", status_code=303)


def _reader(request: Request, key: str | None):  # type: ignore[no-untyped-def]
    """Who reads a topic's feed: the signed-in viewer, or the owner of a private feed link's key."""
    site = site_of(request)
    return site.board.feed_reader(key) if key else site.viewer(request)


@router.get("/topics/suggested")
def suggested_topics(request: Request) -> Response:
    """Clusters of the recent papers, named by their keywords, each a topic to follow in one click."""
    site = site_of(request)
    found = site.board.suggested_topics()
    titles = {e.paper.id: e.paper.title for e in site.board.entries([p for s in found for p in s.papers[:3]])}
    return site.page(request, "suggested.html", suggestions=found, titles=titles)


@router.get("/topics/{topic_id}.atom")
def topic_atom(request: Request, topic_id: TopicId,
               key: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    site = site_of(request)
    topic, entries = site.board.topic(topic_id, _reader(request, key))
    base = site.config.base_url
    body = atom_feed(title=f"Paperboard topic: {topic.name}", feed_url=f"{base}/topics/{topic_id}.atom",
                     page_url=f"{base}/topics/{topic_id}", base_url=base, entries=entries, now=utcnow())
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers=_private(topic, key))


@router.get("/topics/{topic_id}.json")
def topic_json(request: Request, topic_id: TopicId,
               key: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    site = site_of(request)
    topic, entries = site.board.topic(topic_id, _reader(request, key))
    base = site.config.base_url
    return JSON({"id": topic.id, "name": topic.name, "query": topic.query, "examples": list(topic.examples),
                 "owner": topic.owner, "public": topic.public,
                 "papers": [hf_json.daily_item(e, base) for e in entries]},
                headers=_private(topic, key))


@router.get("/topics/{topic_id}")
def topic_page(request: Request, topic_id: TopicId) -> Response:
    site = site_of(request)
    viewer = site.viewer(request)
    topic, entries = site.board.topic(topic_id, viewer)
    own = viewer is not None and viewer.username == topic.owner
    examples = site.board.entries(list(topic.examples))
    response = site.page(request, "topic.html", topic=topic, entries=entries, own=own, examples=examples,
                         feed_key=site.board.feed_token(viewer) if own and not topic.public else None)
    response.headers.update(_private(topic))
    return response


def _private(topic, key: str | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A private topic, or any answer to a feed link's key, is the reader's alone: never kept by a cache."""
    return PRIVATE if key or not topic.public else {}


# --- the account's data ----------------------------------------------------------------------------------

@router.get("/account/export.json")
def account_export(request: Request) -> Response:
    """Everything the account holds, as one JSON file."""
    site = site_of(request)
    user = site.require_viewer(request)
    return JSON(site.board.export_account(user), headers={
        **PRIVATE, "Content-Disposition": f'attachment; filename="paperboard-{user.username}.json"'})


@router.post("/account/delete")
async def account_delete(request: Request) -> Response:
    site = site_of(request)
    form, user = await site.write_form(request)
    await site.limited(("signin_account", user.username.lower()))  # the password is a guess too
    if form.get("confirm") != user.username:
        raise HTTPException(400, "type your username to confirm that the account is to be deleted")
    await run_in_threadpool(site.board.delete_account, user, form.get("password", ""))
    request.session.clear()
    site.flash(request, "Your account and its data are deleted.")
    return RedirectResponse("/", status_code=303)
