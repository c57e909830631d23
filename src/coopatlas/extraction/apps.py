from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    name = "coopatlas.extraction"
    label = "extraction"
    verbose_name = "Extraction de pages"
    default_auto_field = "django.db.models.BigAutoField"
