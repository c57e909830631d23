from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coopatlas.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self) -> None:
        # Register the object permissions with `rules` (its backend answers user.has_perm).
        from coopatlas.accounts import permissions  # noqa: F401
