"""The `coopatlas` command: a thin layer over the library's services.

Examples:
    coopatlas serve --port 8000      # migrate, load reference and demo data if empty, serve
    coopatlas load-demo              # (re)load the demo atlas; existing records are kept
    coopatlas check                  # database reachable, migrations applied, data counts
    coopatlas manage createsuperuser # any Django management command
"""

import argparse
import os
import sys

from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_load_reference(args: argparse.Namespace) -> int:
    from coopatlas.atlas.reference.loader import load_reference

    counts = load_reference()
    console.print(
        f"Données de référence : {counts.countries} pays, {counts.themes} thèmes, {counts.sdgs} ODD."
    )
    return 0


def cmd_load_demo(args: argparse.Namespace) -> int:
    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.reference.loader import load_reference

    load_reference()
    created = load_demo()
    console.print(f"Atlas de démonstration : {created} dossier(s) créé(s) (les existants sont gardés).")
    return 0


def _pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def cmd_check(args: argparse.Namespace) -> int:
    from django.db import connection

    problems: list[str] = []
    try:
        connection.ensure_connection()
    except Exception as exc:  # noqa: BLE001 — any driver error means "unreachable"
        err_console.print(f"[red]Base de données injoignable[/red] ({connection.vendor}) : {exc}")
        return 2
    pending = _pending_migrations()
    if pending:
        problems.append(f"{len(pending)} migration(s) non appliquée(s) : {', '.join(pending[:5])}")
    table = Table(title=f"coopatlas · base {connection.vendor} « {connection.settings_dict['NAME']} »")
    table.add_column("Donnée")
    table.add_column("Nombre", justify="right")
    if not pending:
        from coopatlas.atlas.models import Organisation, Partnership, SustainableDevelopmentGoal, Theme
        from coopatlas.places.models import Country

        counts = {
            "Pays": Country.objects.count(),
            "Thèmes": Theme.objects.count(),
            "ODD": SustainableDevelopmentGoal.objects.count(),
            "Organisations": Organisation.objects.count(),
            "Partenariats": Partnership.objects.count(),
            "Partenariats publiés": Partnership.objects.published().count(),
        }
        for label, value in counts.items():
            table.add_row(label, str(value))
        if counts["Pays"] < 249 or counts["ODD"] != 17 or counts["Thèmes"] == 0:
            problems.append("données de référence incomplètes : lancez `coopatlas load-reference`")
        if counts["Partenariats"] == 0:
            problems.append("atlas vide : lancez `coopatlas load-demo` ou un import")
    console.print(table)
    for problem in problems:
        err_console.print(f"[yellow]• {problem}[/yellow]")
    if not problems:
        console.print("[green]Tout est en ordre.[/green]")
    return 1 if problems else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from waitress import serve

    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.models import Partnership
    from coopatlas.atlas.reference.loader import load_reference

    console.print("Migrations…")
    _migrate()
    counts = load_reference()
    console.print(f"Référentiels : {counts.countries} pays, {counts.themes} thèmes, {counts.sdgs} ODD.")
    if not Partnership.objects.exists() and not args.no_demo:
        console.print(f"Base vide : atlas de démonstration chargé ({load_demo()} dossiers).")
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    console.print(f"[bold]coopatlas[/bold] sur http://{args.host}:{args.port}/ (Ctrl+C pour arrêter)")
    serve(application, host=args.host, port=args.port, threads=args.threads, ident="coopatlas")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coopatlas manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coopatlas",
        description="Atlas des partenariats internationaux des collectivités françaises.",
        epilog=__doc__.split("Examples:")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="migrer, charger les données si la base est vide, servir")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--no-demo", action="store_true", help="ne pas charger l'atlas de démonstration")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("load-reference", help="charger pays, thèmes et ODD").set_defaults(func=cmd_load_reference)
    sub.add_parser("load-demo", help="charger l'atlas de démonstration").set_defaults(func=cmd_load_demo)
    sub.add_parser("check", help="vérifier base, migrations et données").set_defaults(func=cmd_check)

    manage = sub.add_parser("manage", help="lancer une commande d'administration Django")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `coopatlas` command line; return its exit status."""
    args = build_parser().parse_args(argv)
    _setup_django()
    if args.command in ("load-reference", "load-demo"):
        _migrate()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
