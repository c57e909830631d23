"""The daily e-mail alerts on a synthetic atlas: how long `send-alerts` takes on its first run
(everything new), and on the next one (nothing new), with how many e-mails and items.

Usage: python benchmarks/alerts.py [--partnerships 5000] [--editors 300] [--var-dir DIR]

A fresh SQLite atlas is written by `coopatlas generate` (real French places); a third of its
records are aged three years (so that "to verify" has something to say). Then come the accounts:
one administrator with every kind, a coordinator per région (review, ending in 12 months, to
verify), `--editors` editors of the authorities with the most partnerships (ending in 6 months,
to verify, board answers) and as many accounts following three countries and a theme. The mails
go to Django's in-memory backend (nothing leaves the machine); the figures are printed.
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _coopatlas(env: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=5000)
    parser.add_argument("--editors", type=int, default=300)
    parser.add_argument(
        "--var-dir", type=Path, default=None, help="atlas folder (default: a new temporary one)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the atlas of --var-dir (its accounts remade)"
    )
    args = parser.parse_args()
    var_dir = args.var_dir or Path(tempfile.mkdtemp(prefix="coopatlas-alerts-"))
    env = {**os.environ, "COOPATLAS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("DATABASE_URL", None)
    print(f"atlas : {var_dir}")
    if not args.reuse:
        _coopatlas(env, "serve", "--prepare-only", "--no-demo")
        _coopatlas(env, "generate", "--partnerships", str(args.partnerships), "--seed", "1", "--force")

    os.environ.update({"COOPATLAS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings.base"})
    os.environ.pop("DATABASE_URL", None)
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.db.models import Count
    from django.utils import timezone

    from coopatlas.accounts.models import Role, RoleKind
    from coopatlas.alerts.models import AlertKind
    from coopatlas.alerts.services import Choice, send_alerts, subscriptions_save
    from coopatlas.atlas.models import Organisation, Partnership, Theme
    from coopatlas.places.models import Country, Region

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    old = timezone.now() - datetime.timedelta(days=3 * 365)
    ids = list(Partnership.objects.order_by("pk").values_list("pk", flat=True)[::3])
    Partnership.objects.filter(pk__in=ids).update(updated_at=old)

    users = get_user_model().objects
    users.filter(email__endswith="@example.org").delete()  # a reused atlas: the accounts remade

    def account(email: str, *roles: dict):
        user = users.create_user(email, email, "pw-benchmark")
        for role in roles:
            Role.objects.create(user=user, **role)
        return user

    admin = account("equipe@example.org", {"kind": RoleKind.ADMINISTRATOR})
    countries = list(Country.objects.filter(iso2__in=["DE", "SN", "BJ", "MA", "IT", "ES"]))
    themes = list(Theme.objects.filter(level=1).order_by("position")[:3])
    everything = {
        AlertKind.ENDING: Choice(True, months=12),
        AlertKind.TO_VERIFY: Choice(True),
        AlertKind.REVIEW: Choice(True),
        AlertKind.BOARD_ANSWERS: Choice(False),
        AlertKind.NEW_PARTNERSHIPS: Choice(True, countries=countries[:3], themes=themes[:1]),
    }
    subscriptions_save(admin, choices=everything)
    for region in Region.objects.all():
        user = account(
            f"coord-{region.code}@example.org", {"kind": RoleKind.COORDINATOR, "region_id": region.code}
        )
        subscriptions_save(
            user,
            choices={
                AlertKind.REVIEW: Choice(True),
                AlertKind.ENDING: Choice(True, months=12),
                AlertKind.TO_VERIFY: Choice(True),
            },
        )
    busiest = (
        Organisation.objects.filter(country_id="FR")
        .annotate(n=Count("participations"))
        .order_by("-n", "pk")[: args.editors]
    )
    for index, organisation in enumerate(busiest):
        user = account(
            f"editeur-{index}@example.org", {"kind": RoleKind.EDITOR, "organisation": organisation}
        )
        subscriptions_save(
            user,
            choices={
                AlertKind.ENDING: Choice(True, months=6),
                AlertKind.TO_VERIFY: Choice(True),
                AlertKind.BOARD_ANSWERS: Choice(True),
            },
        )
        follower = account(f"suiveur-{index}@example.org")
        subscriptions_save(
            follower,
            choices={
                AlertKind.NEW_PARTNERSHIPS: Choice(
                    True,
                    countries=countries[index % 3 : index % 3 + 3],
                    themes=themes[index % 3 : index % 3 + 1],
                )
            },
        )
    # Followers see what is published after they start: the atlas's records count as new.
    from coopatlas.alerts.models import Subscription

    Subscription.objects.filter(kind=AlertKind.NEW_PARTNERSHIPS).update(started_at=old)

    print(f"{Partnership.objects.count()} partenariats, {Subscription.objects.count()} abonnements")
    for label in ("premier envoi", "deuxième envoi"):
        mail.outbox = []
        started = time.perf_counter()
        outcome = send_alerts()
        seconds = time.perf_counter() - started
        items = sum(outcome.items.values())
        print(
            f"{label} : {outcome.emails} e-mails, {items} éléments "
            f"({', '.join(f'{k} {v}' for k, v in sorted(outcome.items.items()))}) en {seconds:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
