"""Write many new rows fast: one `executemany` per table, with the history rows that
django-simple-history would have written, instead of the ORM's per-object work.

Used by the importer inside its transaction. Primary keys are allocated before the insert (a
sequence range on PostgreSQL; on SQLite, past both the largest id and the AUTOINCREMENT
counter, safe because the transaction already holds SQLite's write lock), so that lines can
point at their records. Records are model instances (validated by the importer); lines are
plain dicts of column values (defaults filled in here).
"""

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connection, models
from django.utils import timezone

HISTORY_FIELDS = (
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
    "history_batch_id",
)

M = TypeVar("M", bound=models.Model)

# Turns a field's value (of the field's own type) into a database parameter.
Converter = Callable[[Any], object]


class _CachedDatetime:
    """Adapts datetimes, remembering the last one (nearly all are the import's own instant)."""

    def __init__(self, adapt: Converter) -> None:
        self.adapt = adapt
        self.last: tuple[object, object] = (None, None)

    def __call__(self, value: object) -> object:
        if value is not self.last[0]:
            self.last = (value, self.adapt(value))
        return self.last[1]


class _Table:
    """How to insert into one table: its SQL, the values to read and the few to convert."""

    def __init__(self, writer: "FastWriter", model: type[models.Model], with_pk: bool) -> None:
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if (with_pk or not f.primary_key) and f.attname != "history_id"
        ]
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})'  # noqa: S608 - our names
        self.copy = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
        self.names = [f.attname for f in self.fields]
        self.conversions = [
            (index, convert)
            for index, f in enumerate(self.fields)
            if (convert := writer.converter(f)) is not None
        ]
        self.defaults: dict[str, object] = {
            f.attname: (
                writer.now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else None
            )
            for f in self.fields
        }
        for f in self.fields:
            if self.defaults[f.attname] is None and f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif (
                self.defaults[f.attname] is None
                and not f.null
                and isinstance(f, (models.CharField, models.TextField))
            ):
                self.defaults[f.attname] = ""
        self.auto = [
            f.attname
            for f in self.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]

    def convert(self, values: list) -> tuple:
        for index, convert in self.conversions:
            if values[index] is not None:
                values[index] = convert(values[index])
        return tuple(values)


class Builder(Generic[M]):
    """Makes model instances from field values through Django's positional fast path (the one it
    uses for rows read from the database), and validates only the fields given."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.fields = model._meta.concrete_fields
        self.position = {f.attname: i for i, f in enumerate(self.fields)}
        self.position.update({f.name: i for i, f in enumerate(self.fields)})
        self.name_of = {f.attname: f.name for f in self.fields} | {f.name: f.name for f in self.fields}
        self.fresh = [i for i, f in enumerate(self.fields) if f.has_default() and callable(f.default)]
        self.template = [
            f.get_default() if f.has_default() else (None if f.null or not f.empty_strings_allowed else "")
            for f in self.fields
        ]
        self.all_names = {f.name for f in model._meta.fields}

    def build(self, **values: object) -> M:
        row = list(self.template)
        for index in self.fresh:
            row[index] = self.fields[index].get_default()
        for name, value in values.items():
            if isinstance(value, models.Model):
                row[self.position[name]] = value.pk
            else:
                row[self.position[name]] = value
        instance = self.model(*row)
        instance._state.adding = True
        return instance

    def clean(self, instance: M, given: Sequence[str], exclude: Sequence[str] = ()) -> None:
        """Validate the given fields (the others hold their defaults) and the model's own rules."""
        keep = {self.name_of[name] for name in given if name in self.name_of} - set(exclude)
        instance.clean_fields(exclude=self.all_names - keep)
        instance.clean()


class FastWriter:
    def __init__(self, *, user_id: int | None, reason: str, batch_id: int | None = None) -> None:
        self.user_id = user_id
        self.reason = reason
        self.batch_id = batch_id  # written on every history row (models.BatchedHistory)
        self.now = timezone.now()
        self._tables: dict[tuple[type[models.Model], bool], _Table] = {}

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
            cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')  # noqa: S608 - our names
            largest = cursor.fetchone()[0]
            cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
            start = max(largest, cursor.fetchone()[0]) + 1
            return list(range(start, start + count))

    @staticmethod
    def converter(field: models.Field) -> Converter | None:
        """Return how to turn a value into a database parameter, or None when it goes as is."""
        ops = connection.ops
        if isinstance(field, models.JSONField):
            # Most JSON cells are an empty list or dict: prepared once, not encoded row by row.
            empty: dict[type, object] = {
                list: field.get_db_prep_save([], connection),
                dict: field.get_db_prep_save({}, connection),
            }

            def prepare(value: object) -> object:
                if not value and type(value) in empty:
                    return empty[type(value)]
                return field.get_db_prep_save(value, connection)

            return prepare
        if isinstance(field, models.DateTimeField):
            return _CachedDatetime(ops.adapt_datetimefield_value)
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(field, models.DecimalField):
            return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        return None

    def _table(self, model: type[models.Model], with_pk: bool) -> _Table:
        key = (model, with_pk)
        if key not in self._tables:
            self._tables[key] = _Table(self, model, with_pk)
        return self._tables[key]

    def _execute(self, table: _Table, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY streams the rows in one command (executemany sends one statement per row).
                with cursor.cursor.copy(table.copy) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(table.sql, rows)

    def insert(self, model: type[models.Model], objects: Sequence[models.Model], *, with_pk: bool) -> None:
        """Insert model instances (primary keys set beforehand when `with_pk`) and their history."""
        if not objects:
            return
        table = self._table(model, with_pk)
        for obj in objects:
            for name in table.auto:
                setattr(obj, name, self.now)
        rows = [table.convert([getattr(obj, name) for name in table.names]) for obj in objects]
        self._execute(table, rows)
        for obj in objects:
            obj._state.adding = False
        history = getattr(model, "history", None)
        if with_pk and history is not None:
            self._history(history.model, [{n: getattr(obj, n) for n in table.names} for obj in objects])

    def insert_lines(self, model: type[models.Model], rows: Sequence[dict]) -> None:
        """Insert lines given as dicts of column values (by attname), with their history when the
        model keeps one; the database or the allocation gives their ids."""
        if not rows:
            return
        history = getattr(model, "history", None)
        with_pk = history is not None
        table = self._table(model, with_pk)
        if history is not None:
            for row, pk in zip(rows, self.allocate(model, len(rows)), strict=True):
                row[model._meta.pk.attname] = pk
        complete = [{**table.defaults, **row} for row in rows]
        self._execute(table, [table.convert([row[name] for name in table.names]) for row in complete])
        if history is not None:
            self._history(history.model, complete)

    def _history(self, historical: type[models.Model], rows: list[dict]) -> None:
        table = self._table(historical, False)
        extra = {
            "history_date": self.now,
            "history_change_reason": self.reason,
            "history_type": "+",
            "history_user_id": self.user_id,
            "history_batch_id": self.batch_id,
        }
        values = [
            table.convert([extra[n] if n in extra else row.get(n) for n in table.names]) for row in rows
        ]
        self._execute(table, values)
