"""People who write under one name, told apart where the papers allow it (pure).

Two papers of a name are taken to be one person's when they share a co-author, and then when their main
categories are the same: a name's papers fall into groups that share no co-author and no main category.
One group means the data cannot tell namesakes apart (the author page says so); several mean that at
least that many people write under the name, as far as co-authors and fields show. The rule errs towards
one person: someone who changed fields *and* co-authors is shown as two, and two namesakes in one field
as one.

A reader may follow one of them: :class:`Person` keeps what tells that person's papers from the others'
(all their co-authors and their main field), and :func:`belongs` applies the same rule to a new paper.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..ids import name_hash
from ..models import Paper

TOP = 4  # co-authors and categories a group is described by
MOST_KEPT = 1000  # co-authors a followed person is recognised by


@dataclass(frozen=True, slots=True)
class Person:
    """One of the people behind a name, as a follow keeps them: a paper of theirs (how the reader chose
    them), every co-author's name hash, and their main category."""

    paper: str
    coauthors: frozenset[int]
    field: str

    def as_dict(self) -> dict[str, object]:
        return {"paper": self.paper, "coauthors": sorted(self.coauthors), "field": self.field}

    @classmethod
    def from_dict(cls, data: object) -> Person | None:
        """The person a follow keeps; None for a follow of the name (or anything unreadable)."""
        if not isinstance(data, dict) or not isinstance(data.get("paper"), str):
            return None
        coauthors = frozenset(c for c in data.get("coauthors") or () if isinstance(c, int))
        field = data.get("field") if isinstance(data.get("field"), str) else ""
        return cls(data["paper"], coauthors, field)


def belongs(person: Person, coauthors: set[int], field: str) -> bool:
    """Whether a paper of the name (with these co-authors' name hashes and this first category) is the
    person's by the rule that tells them apart: a co-author in common, or else the same main field."""
    return bool(person.coauthors & coauthors) or (bool(field) and field == person.field)


@dataclass(frozen=True, slots=True)
class Namesake:
    paper_ids: tuple[str, ...]  # in the order the papers were given (newest first on the author page)
    coauthors: tuple[str, ...]  # the most frequent
    categories: tuple[str, ...]  # the most frequent
    person: Person  # how a follow of this one recognises their papers


class _Groups:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _join_on(groups: _Groups, keys: Sequence[Sequence[object]]) -> None:
    """Join every two papers (by position) that have a key in common."""
    first: dict[object, int] = {}
    for i, held in enumerate(keys):
        for key in held:
            if key in first:
                groups.join(i, first[key])
            else:
                first[key] = i


def tell_apart(name: str, papers: Sequence[Paper]) -> list[Namesake]:
    """The people behind ``name`` among ``papers`` (all by that name), the one with most papers first."""
    if not papers:
        return []
    me = name_hash(name)
    others = [[name_hash(a.name) for a in p.authors if name_hash(a.name) != me] for p in papers]
    groups = _Groups(len(papers))
    _join_on(groups, others)
    # a group's main category: the one most of its papers have first
    members: dict[int, list[int]] = {}
    for i in range(len(papers)):
        members.setdefault(groups.find(i), []).append(i)
    main = {root: Counter(papers[i].categories[0] for i in idx if papers[i].categories).most_common(1)
            for root, idx in members.items()}
    # (papers without categories, whose co-authors tell nothing either, count as one person's)
    field_of = [main[groups.find(i)][0][0] if main[groups.find(i)] else "" for i in range(len(papers))]
    _join_on(groups, [[field] for field in field_of])
    found: dict[int, list[int]] = {}
    for i in range(len(papers)):
        found.setdefault(groups.find(i), []).append(i)
    people = []
    for idx in found.values():
        names = Counter(a.name for i in idx for a in papers[i].authors if name_hash(a.name) != me)
        fields: Counter[str] = Counter(c for i in idx for c in papers[i].categories)
        hashes = Counter(h for i in idx for h in others[i])
        person = Person(papers[idx[0]].id, frozenset(h for h, _ in hashes.most_common(MOST_KEPT)),
                        field_of[idx[0]])
        people.append(Namesake(tuple(papers[i].id for i in idx), tuple(n for n, _ in names.most_common(TOP)),
                               tuple(c for c, _ in fields.most_common(TOP)), person))
    people.sort(key=lambda p: (-len(p.paper_ids), p.paper_ids[0]))
    return people
