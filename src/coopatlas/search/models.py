"""The search index's own table: one document per partnership.

SQLite adds an FTS5 table (search_fts) and PostgreSQL a tsvector column (vector), each
created by this app's migrations for its own database.
"""

from django.db import models

from coopatlas.atlas.models import Partnership


class SearchDocument(models.Model):
    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    text = models.TextField("texte indexé")
    stemmed = models.TextField("racines indexées")

    class Meta:
        verbose_name = "document de recherche"
        verbose_name_plural = "documents de recherche"

    def __str__(self) -> str:
        return f"Document de recherche du partenariat {self.partnership_id}"
