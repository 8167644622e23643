import datetime as dt
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from paperboard.ingest.dumps import parse_record
from paperboard.models import Author, Paper, merge, to_json_dict

BASE = Paper(
    id="2401.00001", title="A Study", abstract="Old abstract.", version=2,
    authors=(Author("Ada Lovelace", "Analytical Engines Ltd"), Author("Alan Turing")),
    categories=("cs.LG", "stat.ML"), listed=dt.date(2024, 1, 2), published=dt.date(2024, 1, 1),
    updated=dt.date(2024, 2, 1), links={"abs": "https://arxiv.org/abs/2401.00001"}, source="arxiv-oai",
)


def test_newer_version_overrides_fields_it_carries():
    newer = Paper(id=BASE.id, title="A Better Study", abstract="New abstract.", version=3,
                  updated=dt.date(2024, 3, 1), source="arxiv-api")
    merged = merge(BASE, newer)
    assert merged.title == "A Better Study" and merged.abstract == "New abstract."
    assert merged.version == 3
    assert merged.categories == BASE.categories  # not carried by the newer record: kept
    assert merged.updated == dt.date(2024, 3, 1) and merged.published == dt.date(2024, 1, 1)
    assert merged.source == "arxiv-oai"  # the source that first added it


def test_older_version_only_fills_gaps():
    older = Paper(id=BASE.id, title="Draft title", version=1, comment="10 pages",
                  published=dt.date(2023, 12, 31))
    merged = merge(BASE, older)
    assert merged.title == "A Study" and merged.version == 2
    assert merged.comment == "10 pages"
    assert merged.published == dt.date(2023, 12, 31)  # the earliest v1 date wins


def test_fill_only_records_never_override():
    titled = Paper(id=BASE.id, title="a study", abstract="", extra={"upvotes": 3})
    merged = merge(BASE, titled, fill_only=True)
    assert merged.title == "A Study" and merged.abstract == "Old abstract."
    assert merged.extra == {"upvotes": 3}


def test_affiliations_survive_a_source_without_them():
    hf = Paper(id=BASE.id, title="A Study", authors=(Author("Ada Lovelace"), Author("Alan Turing")))
    merged = merge(BASE, hf)
    assert merged.authors[0] == Author("Ada Lovelace", "Analytical Engines Ltd")


def test_merge_with_itself_changes_nothing():
    assert merge(BASE, BASE).content_hash() == BASE.content_hash()


def test_content_hash_ignores_source_but_not_content():
    assert replace(BASE, source="other").content_hash() == BASE.content_hash()
    assert replace(BASE, abstract="x").content_hash() != BASE.content_hash()


texts = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30).filter(
    lambda s: s.strip() and s == " ".join(s.split())
)


@given(
    title=texts,
    names=st.lists(texts, max_size=4),
    cats=st.lists(st.sampled_from(["cs.LG", "cs.CL", "math.ST"]), unique=True, max_size=3),
    day=st.dates(min_value=dt.date(1991, 1, 1), max_value=dt.date(2030, 1, 1)),
    version=st.none() | st.integers(1, 20),
)
def test_export_shape_round_trips(title, names, cats, day, version):
    paper = Paper(id="2401.00001", title=title, authors=tuple(Author(n) for n in names),
                  categories=tuple(cats), listed=day, version=version, source="arxiv-api",
                  extra={"k": [1, "two"]}, links={"abs": "https://arxiv.org/abs/2401.00001"})
    again = parse_record(to_json_dict(paper), "paperboard")
    assert again == paper
