"""Write many new rows fast: one `executemany` per table, with the history rows that
django-simple-history would have written, instead of the ORM's per-object work.

Used by the importer inside its transaction. Primary keys are allocated before the insert (a
sequence range on PostgreSQL; on SQLite, the rows after the largest id, safe because the
transaction already holds SQLite's write lock), so that the lines can point at their records.
"""

from collections.abc import Callable, Sequence

from django.db import connection, models
from django.utils import timezone


class FastWriter:
    def __init__(self, *, user_id: int | None, reason: str) -> None:
        self.user_id = user_id
        self.reason = reason
        self.now = timezone.now()
        self._plans: dict[type[models.Model], tuple[str, list[Callable]]] = {}

    def allocate(self, model: type[models.Model], count: int) -> list[int]:
        """Reserve `count` primary keys of `model`'s table."""
        if not count:
            return []
        table, column = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # Past both the largest id and AUTOINCREMENT's counter, so a deleted id is never reused.
            cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')  # noqa: S608 - our names
            largest = cursor.fetchone()[0]
            cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
            start = max(largest, cursor.fetchone()[0]) + 1
            return list(range(start, start + count))

    def _converter(self, field: models.Field) -> Callable[[object], object]:
        """Return how to turn an attribute into a database parameter, doing only what is needed."""
        ops = connection.ops
        if isinstance(field, models.JSONField):
            return lambda value: field.get_db_prep_save(value, connection)
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(field, models.DecimalField):
            return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        return lambda value: value

    def _plan(self, model: type[models.Model], with_pk: bool) -> tuple[str, list[str], list[Callable]]:
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})'  # noqa: S608 - our names
        return sql, [f.attname for f in fields], [self._converter(f) for f in fields]

    def _pre_save(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                for obj in objects:
                    setattr(obj, field.attname, self.now)

    def insert(self, model: type[models.Model], objects: Sequence[models.Model], *, with_pk: bool) -> None:
        """Insert `objects` (their primary keys set beforehand when `with_pk`) and their history."""
        if not objects:
            return
        self._pre_save(model, objects)
        sql, names, converters = self._plan(model, with_pk)
        rows = [
            tuple(convert(getattr(obj, name)) for name, convert in zip(names, converters, strict=True))
            for obj in objects
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        history = getattr(model, "history", None)
        if history is not None and with_pk:
            self._history(history.model, objects)
        for obj in objects:
            obj._state.adding = False

    def _history(self, historical: type[models.Model], objects: Sequence[models.Model]) -> None:
        fields = [f for f in historical._meta.concrete_fields if f.attname != "history_id"]
        extra = {
            "history_date": self.now,
            "history_change_reason": self.reason,
            "history_type": "+",
            "history_user_id": self.user_id,
        }
        columns = ", ".join(f'"{f.column}"' for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f'INSERT INTO "{historical._meta.db_table}" ({columns}) VALUES ({marks})'  # noqa: S608
        converters = [self._converter(f) for f in fields]
        rows = []
        for obj in objects:
            rows.append(
                tuple(
                    convert(extra[f.attname] if f.attname in extra else getattr(obj, f.attname))
                    for f, convert in zip(fields, converters, strict=True)
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def insert_lines(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        """Insert lines pointing at records (ids assigned by the database), with their history
        when the model keeps one."""
        if getattr(model, "history", None) is not None:
            ids = self.allocate(model, len(objects))
            for obj, pk in zip(objects, ids, strict=True):
                obj.pk = pk
            self.insert(model, objects, with_pk=True)
        else:
            self.insert(model, objects, with_pk=False)
