"""For you feedback

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.String(length=64), nullable=False),
    sa.Column('signal', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], name=op.f('fk_feedback_paper_id_papers'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feedback_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'paper_id', name=op.f('pk_feedback'))
    )


def downgrade() -> None:
    op.drop_table('feedback')
