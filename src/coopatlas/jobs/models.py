"""A job: one piece of long work (an import, its preview, an undo, a page read) queued for the
worker, with its state and progress kept in the database so that any process can show them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT_PREVIEW = "import_preview", _("aperçu d'un import")
        IMPORT = "import", _("import")
        UNDO = "undo", _("annulation d'un lot")
        EXTRACTION = "extraction", _("lecture d'une page")
        EXPORT = "export", _("export")

    class State(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        FAILED = "failed", _("échec")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # A number, not a foreign key: on SQLite the jobs live in a database of their own (see
    # coopatlas.jobs.router), where the users' table is not.
    owner_id = models.IntegerField(db_index=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error_fr = models.TextField(blank=True)
    error_en = models.TextField(blank=True)
    rows = models.IntegerField(default=0)  # rows (or units) gone through
    done = models.BigIntegerField(default=0)  # bytes read, out of total
    total = models.BigIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)  # "host:pid" of the process running it
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tâche")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.pk} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        """How far the job has gone, from 0 to 100, when it knows its total."""
        if self.state == self.State.DONE:
            return 100
        if self.total <= 0:
            return None
        return min(100, int(100 * self.done / self.total))

    def visible_to(self, user) -> bool:
        """Only the job's owner, or staff, see a job."""
        return user.is_authenticated and (user.pk == self.owner_id or user.is_staff)
