"""The full-text search index declaration (kept apart from packages.search to avoid an import cycle)."""

from django.contrib.postgres.indexes import GinIndex
from django.db.models import Index


class SearchGinIndex(GinIndex):
    """A GIN index on PostgreSQL; a plain index elsewhere, so SQLite can still build the schema."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Index.create_sql(self, model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)
