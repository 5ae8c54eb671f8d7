"""Backups that restore: a consistent copy of the database and of every stored file with a
manifest of counts and hashes, and its restore into an empty installation."""

from .create import backup_create
from .manifest import BackupError
from .restore import backup_restore

__all__ = ["BackupError", "backup_create", "backup_restore"]
