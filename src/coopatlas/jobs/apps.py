from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "coopatlas.jobs"
    label = "jobs"
    verbose_name = "Tâches de fond"
    default_auto_field = "django.db.models.BigAutoField"
