"""Namesakes told apart by co-authors and fields (pure)."""

from paperboard.feeds.namesakes import tell_apart
from paperboard.models import Author, Paper


def paper(pid, names, categories):
    return Paper(id=pid, title=pid, authors=tuple(Author(n) for n in names), categories=tuple(categories))


def test_no_shared_coauthor_and_another_field_is_another_person():
    papers = [paper("a1", ["Wei Wang", "Ann Lee"], ["cs.CV"]), paper("b1", ["WEI WANG", "Bo Chen"], ["math.AG"]),
              paper("a2", ["Ann Lee", "Wei  Wang"], ["cs.LG", "cs.CV"]), paper("b2", ["Bo Chen", "Wei Wang"], ["math.NT"])]
    people = tell_apart("Wei Wang", papers)
    assert [p.paper_ids for p in people] == [("a1", "a2"), ("b1", "b2")]  # b2's field differs, its co-author not
    assert people[0].coauthors == ("Ann Lee",) and people[1].coauthors == ("Bo Chen",)  # the name itself is no co-author
    assert people[0].categories[0] == "cs.CV" and "math.AG" in people[1].categories


def test_one_field_cannot_tell_namesakes_apart_and_co_authors_chain():
    same_field = [paper("x", ["Li Na", "P"], ["cs.CL"]), paper("y", ["Li Na", "Q"], ["cs.CL"])]
    assert len(tell_apart("Li Na", same_field)) == 1
    chain = [paper("1", ["Z", "P"], ["cs.RO"]), paper("2", ["Z", "P", "Q"], ["q-bio.NC"]),
             paper("3", ["Z", "Q"], ["astro-ph.GA"])]
    assert [p.paper_ids for p in tell_apart("Z", chain)] == [("1", "2", "3")]
    alone = [paper("s", ["Solo"], []), paper("t", ["Solo"], [])]
    assert len(tell_apart("Solo", alone)) == 1  # nothing to tell them apart by: one
    assert tell_apart("Nobody", []) == []


def test_a_followed_person_keeps_what_tells_their_new_papers_apart():
    from paperboard.feeds.namesakes import Person, belongs
    from paperboard.ids import name_hash

    papers = [paper("a1", ["Wei Wang", "Ann Lee"], ["cs.CV"]), paper("b1", ["Wei Wang", "Bo Chen"], ["math.AG"])]
    vision, algebra = (p.person for p in tell_apart("Wei Wang", papers))
    assert vision == Person("a1", frozenset({name_hash("Ann Lee")}), "cs.CV")
    assert Person.from_dict(vision.as_dict()) == vision  # as a follow keeps it
    assert belongs(vision, {name_hash("ann  lee"), name_hash("New One")}, "math.AG")  # a co-author in common
    assert belongs(vision, {name_hash("New One")}, "cs.CV")  # else the same main field
    assert not belongs(vision, {name_hash("Bo Chen")}, "cs.LG")  # the other one's co-author, another field
    assert not belongs(algebra, set(), "")
    for kept in (None, {}, {"paper": 3}, "text", {"paper": "x", "coauthors": ["a", 1], "field": 2}):
        found = Person.from_dict(kept)
        assert found is None or (found.coauthors == {1} and found.field == "")
