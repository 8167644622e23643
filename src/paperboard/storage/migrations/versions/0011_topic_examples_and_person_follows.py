"""Topics with example papers, follows of one of the people who write under a name, and collections
with a section of their owner's digest

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 15:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('examples', sa.JSON(), server_default='[]', nullable=False))
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person', sa.JSON(), nullable=True))
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.drop_column('digest')
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_column('person')
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_column('examples')
