"""The plain-SQL helpers return the same instances the ORM would (on SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.tokens import issue_token
from core import rawsql


def _loaded(model, alias, pk):
    sql = (
        f"SELECT {rawsql.select_all(model, alias)} FROM {rawsql.table(model, alias)} "
        f"WHERE {rawsql.column(model, 'id', alias)} = %s"
    )
    return rawsql.instance(model, rawsql.fetch_one(sql, [pk]))


@pytest.mark.django_db
def test_instances_match_what_the_orm_loads(user):
    user.is_frozen = True  # a boolean that is not the default
    user.frozen_at = timezone.now()
    user.save()
    issued = issue_token(user, "ci", expires=timezone.now() + timedelta(days=3))
    for model, pk in ((User, user.pk), (ApiToken, issued.token.pk)):
        raw, orm = _loaded(model, "x", pk), model.objects.get(pk=pk)
        for field in model._meta.concrete_fields:
            assert getattr(raw, field.attname) == getattr(orm, field.attname), field.name
            assert type(getattr(raw, field.attname)) is type(getattr(orm, field.attname)), field.name
        assert not raw._state.adding and raw._state.db == "default"
    token = _loaded(ApiToken, "t", issued.token.pk)
    assert timezone.is_aware(token.expires) and not token.is_expired
    assert token.user == user  # the foreign key works like an ORM-loaded one
