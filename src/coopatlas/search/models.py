"""The search index's own tables: one document per partnership, and its facet keys.

SQLite adds an FTS5 table (search_fts) and PostgreSQL a tsvector column (vector), each
created by this app's migrations for its own database. `FacetKey` holds, per partnership, each
value it counts under for each facet (`pays=DE`, `theme=EAU`…): facet filters and counts are
then one indexed query each, whatever the size of the atlas.
"""

from django.db import models

from coopatlas.atlas.models import Partnership

# The shape of what the indexer writes: a document of an older format is rebuilt by `serve`.
INDEX_FORMAT = 3  # 3: the `portee` facet (international or domestic)


class SearchDocument(models.Model):
    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    text = models.TextField("texte indexé")
    stemmed = models.TextField("racines indexées")
    format = models.PositiveSmallIntegerField("format de l'index", default=0)

    class Meta:
        verbose_name = "document de recherche"
        verbose_name_plural = "documents de recherche"

    def __str__(self) -> str:
        return f"Document de recherche du partenariat {self.partnership_id}"


class FacetValueKey(models.Model):
    """One value of one facet (`pays=DE`), numbered: the facet keys refer to it by number."""

    facet = models.CharField("facette", max_length=16)
    value = models.CharField("valeur", max_length=40)

    class Meta:
        verbose_name = "valeur de facette"
        verbose_name_plural = "valeurs de facette"
        constraints = [models.UniqueConstraint(fields=["facet", "value"], name="facetvaluekey_unique")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class FacetKey(models.Model):
    """A value a partnership counts under (written by `search.index` only).

    Two integers per row: counting the facets of a result reads each of its partnerships' keys
    in one index seek, and groups them by number."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="facet_keys", db_index=False
    )
    key = models.ForeignKey(FacetValueKey, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = "clé de facette"
        verbose_name_plural = "clés de facette"
        constraints = [
            # Also the index a count walks: from a partnership to its keys.
            models.UniqueConstraint(fields=["partnership", "key"], name="facetkey_unique"),
        ]
        indexes = [
            # A filter's index: from a facet value to its partnerships.
            models.Index(fields=["key", "partnership"], name="facetkey_by_value"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} ({self.partnership_id})"


class IndexState(models.Model):
    """The index's version, moved by every write that reaches it (one row).

    Whatever depends on the atlas as searched — the API's ETag and Last-Modified, cached facet
    counts — is keyed by this version: every process sees the same one, in the database.
    """

    version = models.BigIntegerField("version", default=0)
    changed_at = models.DateTimeField("modifié le", null=True)

    class Meta:
        verbose_name = "état de l'index"
        verbose_name_plural = "état de l'index"

    def __str__(self) -> str:
        return f"Index de recherche, version {self.version}"
