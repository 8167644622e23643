"""the words filter terms match: paper_words, paper_authors.name_words, paper_gists.words

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 02:10:00

Word, phrase and author terms of the filter language match stemmed (or lower-cased) whole words in SQL
as in the search index (paperboard.filter_rules); the columns are filled here for the papers already
stored, a batch at a time.
"""

import sqlalchemy as sa
from alembic import op

from paperboard.filter_rules import name_column, words_column

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    op.create_table('paper_words',
    sa.Column('paper_id', sa.String(length=64), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], name=op.f('fk_paper_words_paper_id_papers'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('paper_id', name=op.f('pk_paper_words'))
    )
    with op.batch_alter_table('paper_authors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_words', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('paper_gists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('words', sa.Text(), server_default='', nullable=False))
    _fill(op.get_bind())


def _fill(conn: sa.Connection) -> None:
    papers = sa.table('papers', sa.column('id'), sa.column('title'), sa.column('abstract'))
    words = sa.table('paper_words', sa.column('paper_id'), sa.column('words'))
    authors = sa.table('paper_authors', sa.column('paper_id'), sa.column('position'), sa.column('name'),
                       sa.column('name_words'))
    gists = sa.table('paper_gists', sa.column('paper_id'), sa.column('keywords', sa.JSON), sa.column('words'))
    last = ''
    while rows := conn.execute(sa.select(papers.c.id, papers.c.title, papers.c.abstract)
                               .where(papers.c.id > last).order_by(papers.c.id).limit(BATCH)).all():
        last = rows[-1][0]
        conn.execute(words.insert(), [{'paper_id': i, 'words': words_column((t, a or ''))} for i, t, a in rows])
    last_key: tuple[str, int] = ('', -1)
    while rows := conn.execute(sa.select(authors.c.paper_id, authors.c.position, authors.c.name)
                               .where(sa.tuple_(authors.c.paper_id, authors.c.position) > sa.tuple_(*last_key))
                               .order_by(authors.c.paper_id, authors.c.position).limit(BATCH)).all():
        last_key = (rows[-1][0], rows[-1][1])
        conn.execute(authors.update()
                     .where(authors.c.paper_id == sa.bindparam('p'), authors.c.position == sa.bindparam('n'))
                     .values(name_words=sa.bindparam('w')),
                     [{'p': p, 'n': n, 'w': name_column(name)} for p, n, name in rows])
    last = ''
    while rows := conn.execute(sa.select(gists.c.paper_id, gists.c.keywords)
                               .where(gists.c.paper_id > last).order_by(gists.c.paper_id).limit(BATCH)).all():
        last = rows[-1][0]
        conn.execute(gists.update().where(gists.c.paper_id == sa.bindparam('p')).values(words=sa.bindparam('w')),
                     [{'p': p, 'w': words_column([k for k in keywords or () if isinstance(k, str)])}
                      for p, keywords in rows])


def downgrade() -> None:
    with op.batch_alter_table('paper_gists', schema=None) as batch_op:
        batch_op.drop_column('words')
    with op.batch_alter_table('paper_authors', schema=None) as batch_op:
        batch_op.drop_column('name_words')
    op.drop_table('paper_words')
