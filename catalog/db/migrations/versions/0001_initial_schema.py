"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('organization_id', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('resource', sa.String(length=32), nullable=False),
    sa.Column('resource_id', sa.String(length=128), nullable=True),
    sa.Column('client_ref', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_client_ref'), ['client_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_key_id'), ['key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_resource'), ['resource'], unique=False)

    op.create_table('catalog_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('feedback',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('referral_id', sa.String(length=64), nullable=True),
    sa.Column('organization_id', sa.String(length=128), nullable=True),
    sa.Column('provider_id', sa.String(length=128), nullable=True),
    sa.Column('service_id', sa.String(length=128), nullable=True),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('need_met', sa.String(length=8), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=False),
    sa.Column('would_recommend', sa.Boolean(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_service_id'), ['service_id'], unique=False)

    op.create_table('idempotency',
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=256), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_id', 'key')
    )
    op.create_table('organizations',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('rule_packs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('service_versions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('service_id', sa.String(length=128), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('service_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_versions_service_id'), ['service_id'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_organization_id'), ['organization_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=128), nullable=False),
    sa.Column('client_ref', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_client_ref'), ['client_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_organization_id'), ['organization_id'], unique=False)

    op.create_table('services',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('organization_id', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_services_revision'), ['revision'], unique=False)

    op.create_table('option_lists',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=128), nullable=False),
    sa.Column('assessment_id', sa.String(length=64), nullable=False),
    sa.Column('client_ref', sa.String(length=64), nullable=False),
    sa.Column('rules_version', sa.String(length=64), nullable=False),
    sa.Column('catalog_version', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('option_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_option_lists_client_ref'), ['client_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_option_lists_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_option_lists_organization_id'), ['organization_id'], unique=False)

    op.create_table('choices',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('option_list_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=128), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['option_list_id'], ['option_lists.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_choices_option_list_id'), ['option_list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_choices_organization_id'), ['organization_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('choice_id', sa.String(length=64), nullable=False),
    sa.Column('option_list_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=128), nullable=False),
    sa.Column('provider_id', sa.String(length=128), nullable=False),
    sa.Column('service_id', sa.String(length=128), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('need', sa.String(length=64), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('shared', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['choice_id'], ['choices.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_choice_id'), ['choice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_provider_id'), ['provider_id'], unique=False)

    op.create_table('referral_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('referral_id', sa.String(length=64), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.create_index('ix_referral_events_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_events_referral_id'), ['referral_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_events_referral_id'))
        batch_op.drop_index('ix_referral_events_at')

    op.drop_table('referral_events')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_provider_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_organization_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_choice_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_choices_organization_id'))
        batch_op.drop_index(batch_op.f('ix_choices_option_list_id'))

    op.drop_table('choices')
    with op.batch_alter_table('option_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_option_lists_organization_id'))
        batch_op.drop_index(batch_op.f('ix_option_lists_created_at'))
        batch_op.drop_index(batch_op.f('ix_option_lists_client_ref'))

    op.drop_table('option_lists')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_revision'))
        batch_op.drop_index(batch_op.f('ix_services_organization_id'))

    op.drop_table('services')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_organization_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_client_ref'))

    op.drop_table('assessments')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_organization_id'))

    op.drop_table('api_keys')
    with op.batch_alter_table('service_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_versions_service_id'))

    op.drop_table('service_versions')
    op.drop_table('rule_packs')
    op.drop_table('organizations')
    op.drop_table('idempotency')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_service_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_referral_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_provider_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_organization_id'))

    op.drop_table('feedback')
    op.drop_table('catalog_state')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_resource'))
        batch_op.drop_index(batch_op.f('ix_audit_log_organization_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_key_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_client_ref'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
