"""Signals of the dossier app. Receivers run inside the writer's transaction."""

from django.dispatch import Signal

# Sent after every recorded change of a dossier (its event saved) and after a change that
# is not an event but alters what the dossier counts for (a rating, feedback about it), with
# `dossier` and `event` (None for the latter).
dossier_changed = Signal()
