"""What the core tells the apps above it, without knowing them.

``event_recorded`` is sent inside the transaction of a status change, once per history
entry that the citizen hears about (``dossiers.workflow.Event``). The notifications app
writes its outbox rows in its receiver, so they commit or roll back with the change
(Signalen's ``status_update`` signal does the same for its email integrations).

Receivers get ``dossier``, ``event`` (an ``Event`` value) and ``context`` (the
event's variables: the clerk's note, the reason, dates, links).

``history_recorded`` is sent inside the same transaction for every history entry, told
to the citizen or not (a payment note, an anonymisation); receivers get ``dossier`` and
``entry`` (the ``DossierEvent``). The national portal's sync writes its outbox rows there.

``result_file_stored`` is sent inside ``record_result``'s transaction once the result
document is stored (``dossier``, ``result_file``: the ``DossierFile``). The signing app
signs it there; a receiver that raises rolls the whole result back.

``personal_data_removed`` is sent inside the transaction that anonymised a dossier
(``dossier``): an app that keeps its own copy of the applicant's data (the national sync's
payloads) removes it there.

``resume_link_requested`` is sent by the filing wizard, inside a transaction, when a citizen
saves a draft for later and asks for its secret resume link (``draft``: the ``FilingDraft``,
``phone``, ``email``: where to send it, either may be empty, ``resume_url``, ``expires_at``:
the expiry as shown, ``applicant_name``, ``language``). The notifications app writes its outbox
rows there and returns them, so the wizard can say what was sent.
"""

from django.dispatch import Signal

event_recorded = Signal()
history_recorded = Signal()
result_file_stored = Signal()
personal_data_removed = Signal()
resume_link_requested = Signal()
