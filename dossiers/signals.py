"""What the core tells the apps above it, without knowing them.

``event_recorded`` is sent inside the transaction of a status change, once per history
entry that the citizen hears about (``dossiers.workflow.Event``). The notifications app
writes its outbox rows in its receiver, so they commit or roll back with the change
(Signalen's ``status_update`` signal does the same for its email integrations).

Receivers get ``dossier``, ``event`` (an ``Event`` value) and ``context`` (the
event's variables: the clerk's note, the reason, dates, links).
"""

from django.dispatch import Signal

event_recorded = Signal()
