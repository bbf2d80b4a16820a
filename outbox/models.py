"""The transactional outbox: work that leaves the request, stored with the change that caused it."""

from django.db import models
from django.utils import timezone


class Message(models.Model):
    """One piece of outgoing work: call `kind` (a function's dotted path) with `payload`.

    A row exists until its work succeeded, then it is deleted (rows may carry secrets: reset
    and invitation links). `due`: when the relay may next pick it up; `claim`: the token of the
    dispatch in flight (only the holder of the current token may run it)."""

    kind = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    secret = models.BooleanField(default=False, help_text="The payload holds a secret: never shown or logged.")
    created = models.DateTimeField(default=timezone.now)
    due = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["due"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.kind} #{self.pk}"
