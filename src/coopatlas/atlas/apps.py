from django.apps import AppConfig


class AtlasConfig(AppConfig):
    name = "coopatlas.atlas"
    label = "atlas"
    verbose_name = "Atlas des partenariats"
