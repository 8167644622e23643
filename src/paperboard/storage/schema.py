"""Tables (SQLAlchemy Core). Migrations in ``migrations/versions`` create exactly these.

Papers are read far more often than written, so a paper row carries its ordered authors and categories
as JSON (one read per page), while ``paper_authors`` and ``paper_categories`` are the indexed copies that
author pages, filters and statistics query.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_paper_fk = dict(ondelete="CASCADE", onupdate="CASCADE")

papers = Table(
    "papers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("version", Integer),
    Column("title", Text, nullable=False),
    Column("title_hash", BigInteger, nullable=False),  # ids.title_hash: same title, same paper
    Column("abstract", Text, nullable=False, default=""),
    Column("authors", JSON, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("primary_category", String(128)),
    Column("comment", Text),
    Column("journal_ref", Text),
    Column("doi", Text),
    Column("license", Text),
    Column("links", JSON, nullable=False),
    Column("listed", Date),
    Column("published", Date),
    Column("updated", Date),
    Column("published_text", String(64)),
    Column("source", String(32), nullable=False),
    Column("extra", JSON, nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index(None, "title_hash"),
    Index(None, "listed"),
    Index(None, "primary_category", "listed"),
    Index(None, "changed_at"),  # the search index catches up from its watermark
)

paper_authors = Table(
    "paper_authors",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_hash", BigInteger, nullable=False),  # ids.name_hash: author pages group by it
    Column("affiliation", Text),
    # the name as author: terms match it (paperboard.filter_rules.name_column)
    Column("name_words", Text, nullable=False, server_default=""),
    Index(None, "name_hash"),
    sqlite_with_rowid=False,
)

paper_categories = Table(
    "paper_categories",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("category", String(128), primary_key=True),
    Column("is_primary", Boolean, nullable=False),
    Index(None, "category"),
    sqlite_with_rowid=False,
)

paper_words = Table(  # title and abstract as word terms match them (paperboard.filter_rules.words_column)
    "paper_words",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("words", Text, nullable=False),
)

# a paper's images: its first page rendered from the PDF (thumb) and its social preview (og); a row
# without data records a failed render, so the worker does not try that paper again
paper_images = Table(
    "paper_images",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("data", LargeBinary),  # PNG
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

paper_gists = Table(  # written from the title and abstract (paperboard.gist): derived, never a source's
    "paper_gists",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("summary", Text),
    Column("keywords", JSON, nullable=False),
    Column("version", Integer, nullable=False),  # gist.VERSION when written: an older one is rewritten
    Column("words", Text, nullable=False, server_default=""),  # the keywords as word terms match them
    Index(None, "version"),
)

ingest_checkpoints = Table(
    "ingest_checkpoints",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# --- Space for the community features (feeds, accounts, digests); later migrations add columns. ---

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("email", String(320), unique=True),
    Column("password_hash", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("display_name", String(128)),
    Column("is_admin", Boolean, nullable=False, default=False, server_default=false()),
    Column("email_verified_at", DateTime(timezone=True)),  # None: the address was never proven theirs
    Column("reply_mail", Boolean, nullable=False, default=False, server_default=false()),  # mail on replies
)

# a generated or uploaded face is re-encoded before it is stored; none: the generated identicon
avatars = Table(
    "avatars",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("data", LargeBinary, nullable=False),  # PNG, as re-encoded by paperboard.images
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the token; the token is shown once
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),  # None: until revoked
    Column("last_used_at", DateTime(timezone=True)),
    Index(None, "user_id"),
)

sessions = Table(
    "sessions",
    metadata,
    # sha256 of the random session id the cookie carries: a stolen database opens no session
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("user_agent", String(200)),
    Index(None, "user_id"),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    # one counter per action, key and fixed window, shared by every worker and kept across restarts
    Column("bucket", String(80), primary_key=True),  # action:sha256(key)[:32]
    Column("window", BigInteger, primary_key=True),  # start of the window, in seconds since the epoch
    Column("count", Integer, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Index(None, "expires"),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), nullable=False),
    Column("day", Date, nullable=False),
    # a local account, or None for a submission imported from another feed, which names its submitter
    # (``submitter_name``, ``submitter_display``) without ever becoming or crediting a local account
    Column("submitter_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("submitter_name", String(128)),
    Column("submitter_display", String(128)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # counts a paper brought from an imported feed (Hugging Face); local upvotes and comments add to them
    Column("imported_upvotes", Integer, nullable=False, server_default="0"),
    Column("imported_comments", Integer, nullable=False, server_default="0"),
    UniqueConstraint("paper_id"),  # a paper is on the daily feed once, on the day it was first submitted
    Index(None, "day"),
    Index(None, "submitter_name"),
)

upvotes = Table(
    "upvotes",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "user_id"),
)

# what a reader told For you about a paper: not_interested (never shown again), less_like_this (its
# neighbours go down), more_like_this (its neighbours go up); one signal per reader and paper, the last given
feedback = Table(
    "feedback",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("signal", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# authors a reader follows, by name: their papers come first in For you (ids.name_hash groups spellings)
follows = Table(
    "follows",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("name_hash", BigInteger, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # one of the people who write under the name (feeds.namesakes.Person as a dict), or null: all of them
    Column("person", JSON),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("parent_id", Integer, ForeignKey("comments.id", ondelete="CASCADE")),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("edited_at", DateTime(timezone=True)),  # the last edit by its author; None: never edited
    Index(None, "paper_id", "created_at"),
)

# the suggested topics (paperboard.foryou.suggest), as the worker last computed them for every process
topic_suggestions = Table(
    "topic_suggestions",
    metadata,
    Column("position", Integer, primary_key=True),
    Column("label", String(300), nullable=False),
    Column("query", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("papers", JSON, nullable=False),  # ids, the nearest the cluster's centre first
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

# which generation of a reader's secret feed link is valid (paperboard.foryou.feed_keys); none: the first
feed_keys = Table(
    "feed_keys",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("generation", Integer, nullable=False),
)

# a reader's private note on a paper (markdown) and whether they have read it (paperboard.foryou.library)
notes = Table(
    "notes",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("body", Text, nullable=False),
    Column("read", Boolean, nullable=False, default=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# a reader's saved filters (paperboard.foryou.topics): a timeline each, and a place in For you
topics = Table(
    "topics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("query", Text, nullable=False),  # "" when the example papers alone say what it holds
    Column("public", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("examples", JSON, nullable=False, default=list, server_default="[]"),  # paper ids
    Index(None, "owner_id"),
)

collections = Table(
    "collections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("public", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # an interest profile with a section of its owner's digest (the papers like its own)
    Column("digest", Boolean, nullable=False, default=False, server_default=false()),
)

collection_items = Table(
    "collection_items",
    metadata,
    Column("collection_id", Integer, ForeignKey("collections.id", ondelete="CASCADE"),
           primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("preferences", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

digest_outbox = Table(
    "digest_outbox",
    metadata,
    # one row per subscriber and edition: the exactly-once ledger of digest sending
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
    Column("edition", String(32), primary_key=True),  # e.g. daily:2025-03-20, weekly:2025-W12
    Column("status", String(16), nullable=False),  # pending, sent, failed (permanent), skipped (empty)
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "edition", "status"),
)

mail_outbox = Table(
    "mail_outbox",
    metadata,
    # mails the site owes one address (confirm a subscription, a manage link): queued by the request,
    # sent after it, retried while the mail server is down
    Column("id", Integer, primary_key=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE")),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),  # an account's mail
    Column("kind", String(16), nullable=False),  # confirm, manage (subscriber); verify, reset, reply (user)
    Column("ref", String(64)),  # what the mail is about (reply: the reply's comment id)
    # pending, sending, sent, failed (permanent), logged (no mail server), dropped (no longer wanted)
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "status"),
)

fetch_requests = Table(
    "fetch_requests",
    metadata,
    # papers visitors asked for that were not stored: one queue for every worker, worked through at
    # arXiv's pace by whichever process holds the "arxiv-on-demand" lease; misses are remembered
    Column("paper_id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # pending, fetched, missing, failed
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("checked_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index(None, "status", "requested_at"),
)

paper_renames = Table(
    "paper_renames",
    metadata,
    # a paper stored under a ``title:`` id that became the paper with a real id: the search index drops
    # the old id when it catches up
    Column("old_id", String(64), primary_key=True),
    Column("new_id", String(64), nullable=False),
    Column("renamed_at", DateTime(timezone=True), nullable=False, index=True),
)

author_claims = Table(
    "author_claims",
    metadata,
    # a user's claim to be one of a paper's authors: pending until an administrator (or a verified
    # e-mail of theirs written in the paper) confirms it; a refused claim may be made again
    Column("id", Integer, primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), nullable=False),
    Column("author_name", String(300), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),  # pending, confirmed, refused
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),  # None: by e-mail
    UniqueConstraint("paper_id", "author_name", "user_id"),
    Index(None, "user_id"),
    Index(None, "status", "created_at"),
)

paper_links = Table(
    "paper_links",
    metadata,
    # the code repository or project page an author or the submitter gave; wins over what ingest found
    Column("paper_id", String(64), ForeignKey("papers.id", **_paper_fk), primary_key=True),
    Column("kind", String(16), primary_key=True),  # code, project
    Column("url", Text, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

leases = Table(
    "leases",
    metadata,
    # who may run a job now: a holder renews its lease while it works; an expired one may be taken over
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

job_runs = Table(
    "job_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("job", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running, ok, failed, abandoned (its process died)
    Column("counts", JSON, nullable=False),
    Column("error", Text),
    Index(None, "job", "started_at"),
)
