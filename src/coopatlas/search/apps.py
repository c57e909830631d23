from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "coopatlas.search"
    label = "search"
    verbose_name = "Recherche"

    def ready(self) -> None:
        from coopatlas.search import signals  # noqa: F401 — connects the index to atlas writes
