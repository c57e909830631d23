from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "coopatlas.places"
    label = "places"
    verbose_name = "Géographie de référence"
