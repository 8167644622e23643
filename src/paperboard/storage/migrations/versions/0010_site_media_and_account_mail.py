"""Paper images (rendered first pages, social previews), avatars, verified addresses, mail on replies,
an outbox that carries an account's mail as well as a subscriber's, and the suggested topics the
worker computes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('paper_images',
    sa.Column('paper_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], name=op.f('fk_paper_images_paper_id_papers'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('paper_id', 'kind', name=op.f('pk_paper_images'))
    )
    op.create_table('avatars',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_avatars_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_avatars'))
    )
    op.create_table('topic_suggestions',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('papers', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_topic_suggestions'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reply_mail', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.alter_column('subscriber_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ref', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_mail_outbox_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade() -> None:
    op.execute("DELETE FROM mail_outbox WHERE subscriber_id IS NULL")
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mail_outbox_user_id_users'), type_='foreignkey')
        batch_op.drop_column('ref')
        batch_op.drop_column('user_id')
        batch_op.alter_column('subscriber_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reply_mail')
        batch_op.drop_column('email_verified_at')
    op.drop_table('topic_suggestions')
    op.drop_table('avatars')
    op.drop_table('paper_images')
