from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "coopatlas.web"
    label = "web"
    verbose_name = "Site public"
