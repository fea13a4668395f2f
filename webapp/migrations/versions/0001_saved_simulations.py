"""Saved simulations: a resident's answers under an unguessable token.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_simulations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_simulations")),
    )
    op.create_index(
        op.f("ix_saved_simulations_token"), "saved_simulations", ["token"], unique=True
    )
    op.create_index(
        op.f("ix_saved_simulations_expires_at"),
        "saved_simulations",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_saved_simulations_expires_at"), table_name="saved_simulations"
    )
    op.drop_index(op.f("ix_saved_simulations_token"), table_name="saved_simulations")
    op.drop_table("saved_simulations")
