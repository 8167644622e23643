"""The site's kept pictures: each paper's rendered first page and social preview, and each account's
uploaded face. Making them is :mod:`paperboard.images`' (pure); keeping them is here."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from ..community import accounts, avatars
from ..community.errors import CommunityError
from ..errors import NotFound
from ..models import Paper
from ..storage import paper_images
from ..storage.papers import fetch_many


class Media:
    def __init__(self, engine: Engine):
        self.engine = engine

    def paper(self, paper_id: str) -> Paper:
        """The stored paper, in one query (a feed page asks for thirty thumbnails at once)."""
        with self.engine.connect() as conn:
            found = fetch_many(conn, [paper_id]).get(paper_id)
        if found is None:
            raise NotFound(f"paper {paper_id} is not in the store")
        return found

    def thumbnail(self, paper_id: str) -> bytes | None:
        """The paper's first page as the worker rendered it; None until then."""
        with self.engine.connect() as conn:
            return paper_images.get(conn, paper_id, "thumb")

    def preview(self, paper: Paper, make: Callable[[], bytes] | None = None) -> bytes | None:
        """The paper's social preview as kept; without one, ``make``'s, kept from now on (None when
        none is kept and nothing is to be made)."""
        with self.engine.connect() as conn:
            kept = paper_images.get(conn, paper.id, "og")
        if kept is not None or make is None:
            return kept
        made = make()
        with self.engine.begin() as conn:
            paper_images.put(conn, paper.id, "og", made)
        return made

    def avatar(self, username: str) -> bytes | None:
        """The account's uploaded face; None for none (or no such account)."""
        with self.engine.connect() as conn:
            return avatars.get(conn, username)

    def set_avatar(self, user: accounts.User, png: bytes) -> None:
        with self.engine.begin() as conn:
            if accounts.get_user(conn, user.id) is None:
                raise CommunityError("the account is gone")
            avatars.put(conn, user.id, png)

    def remove_avatar(self, user: accounts.User) -> None:
        with self.engine.begin() as conn:
            avatars.remove(conn, user.id)
