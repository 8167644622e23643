"""For you on the site: the signed-in reader's page, the feedback buttons on its cards, and the list of
feedback given (on the account page's For you section), where each can be taken back."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from .site import site_of

router = APIRouter(include_in_schema=False)

SAID = {"not_interested": "Not interested: it will not be shown again.",
        "less_like_this": "Fewer papers like this one from now on.",
        "more_like_this": "More papers like this one from now on."}
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/for-you")
def for_you(request: Request) -> Response:
    site = site_of(request)
    user = site.viewer(request)
    if user is None:
        return RedirectResponse("/signin?next=/for-you", status_code=303)
    site.limit("for_you", str(user.id))
    found = site.board.for_you(user, limit=50)
    response = site.page(request, "for_you.html", found=found, following=site.board.following(user))
    response.headers.update(NO_STORE)
    return response


@router.get("/for-you/feedback")
def feedback_list(request: Request) -> Response:
    site = site_of(request)
    user = site.viewer(request)
    if user is None:
        return RedirectResponse("/signin?next=/for-you/feedback", status_code=303)
    response = site.page(request, "feedback.html", given=site.board.feedback_given(user), signals=SAID)
    response.headers.update(NO_STORE)
    return response


@router.post("/follow")
async def follow_post(request: Request) -> Response:
    """Follow the author ``author`` (or stop, with ``undo``); back to the page the form was on."""
    site = site_of(request)
    form, user = await site.write_form(request)
    author, undo = form.get("author", "").strip(), bool(form.get("undo"))
    name = await run_in_threadpool(lambda: site.board.follow(user, author, undo=undo))
    site.flash(request, f"You no longer follow {name}." if undo else
               f"You follow {name}: their new papers come to your For you.")
    return site.back(request, f"/authors/{quote(name)}")


@router.post("/feedback")
async def feedback_post(request: Request) -> Response:
    """``signal`` one of the For you signals, or empty to take the feedback on ``paper`` back."""
    site = site_of(request)
    form, user = await site.write_form(request)
    signal = form.get("signal") or None
    # another signal is a 400 that says which there are
    await run_in_threadpool(site.board.feedback, form.get("paper", ""), user, signal)
    site.flash(request, SAID.get(signal or "", "Feedback taken back."))
    return site.back(request, "/for-you")
