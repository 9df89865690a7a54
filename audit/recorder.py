"""Writes an audit entry for every change a staff member makes to the data (the admin's forms,
its actions, the dossier's transition forms): who, when, old → new, through model signals, so
no admin class has to remember it.

Only changes made inside a staff member's request are recorded (``AuditActorMiddleware``);
background tasks and citizens' pages are not staff actions. Secrets (password hashes, OTP keys,
link secrets) are recorded as changed, never with their values.
"""

import datetime
import decimal
import uuid

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .context import current_actor
from .models import AuditAction, AuditEntry

# Models whose rows are bookkeeping, not data an official changes.
IGNORED_MODELS = {
    "audit.auditentry", "sessions.session", "contenttypes.contenttype", "admin.logentry",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "captcha.captchastore",
}
# Field names whose values are never copied into the trail.
SECRET_FIELDS = {"password", "key", "token", "secret", "secret_key", "hash_secret", "otp_secret"}
HIDDEN = "••••••"
# Fields that change on every save and tell nothing.
NOISE_FIELDS = {"updated_at", "modified_at", "last_login", "last_t", "throttling_failure_timestamp",
                "throttling_failure_count", "version"}


def _label(model):
    return model._meta.label_lower


def _tracked(model):
    return _label(model) not in IGNORED_MODELS


def _plain(value):
    """A JSON-friendly copy of a field value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, uuid.UUID, decimal.Decimal)):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return str(value)


def _values(instance):
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in NOISE_FIELDS:
            continue
        values[field.attname] = _plain(getattr(instance, field.attname))
    return values


def _hide(name, value):
    return HIDDEN if name in SECRET_FIELDS and value not in (None, "") else value


def agency_id_of(instance):
    """The agency whose leader sees this object's entries, or None (catalogue-wide objects)."""
    if _label(type(instance)) == "procedures.agency":
        return instance.pk
    if getattr(instance, "agency_id", None):
        return instance.agency_id
    dossier_id = getattr(instance, "dossier_id", None)
    if dossier_id:
        from dossiers.models import Dossier

        return Dossier.objects.filter(pk=dossier_id).values_list("agency_id", flat=True).first()
    return None


def write_entry(*, action, instance=None, changes=None, detail="", agency_id=None):
    """Append one entry under the current actor; nothing when no staff member is acting."""
    actor = current_actor.get()
    if actor is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    entry = AuditEntry(
        actor_id=actor.user.pk, actor_username=actor.user.get_username(), ip_address=actor.ip_address,
        action=action, changes=changes or {}, detail=detail[:300],
    )
    if instance is not None:
        entry.content_type = ContentType.objects.get_for_model(type(instance), for_concrete_model=False)
        entry.object_id = str(instance.pk)
        entry.object_repr = str(instance)[:300]
        entry.agency_id = agency_id if agency_id is not None else agency_id_of(instance)
    entry.save()
    return entry


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or current_actor.get() is None or not _tracked(sender) or instance._state.adding or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_old_values = _values(old) if old is not None else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw or current_actor.get() is None or not _tracked(sender):
        return
    new = _values(instance)
    old = getattr(instance, "_audit_old_values", None)
    instance._audit_old_values = None
    if created or old is None:
        write_entry(action=AuditAction.CREATE, instance=instance,
                    changes={name: _hide(name, value) for name, value in new.items() if value not in (None, "")})
        return
    changes = {name: [_hide(name, old.get(name)), _hide(name, value)]
               for name, value in new.items() if old.get(name) != value}
    if changes:
        write_entry(action=AuditAction.UPDATE, instance=instance, changes=changes)


def _after_delete(sender, instance, **kwargs):
    if current_actor.get() is None or not _tracked(sender):
        return
    write_entry(action=AuditAction.DELETE, instance=instance,
                changes={name: _hide(name, value) for name, value in _values(instance).items()})


def _m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if current_actor.get() is None or not _tracked(type(instance)) or action not in {
            "post_add", "post_remove", "post_clear"}:
        return
    field = next((f.name for f in type(instance)._meta.many_to_many if f.remote_field.through is sender),
                 sender._meta.model_name)
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    write_entry(action=AuditAction.UPDATE, instance=instance,
                changes={field: {verb: sorted(pk_set or [])}})


def connect():
    pre_save.connect(_before_save, dispatch_uid="audit.before_save")
    post_save.connect(_after_save, dispatch_uid="audit.after_save")
    post_delete.connect(_after_delete, dispatch_uid="audit.after_delete")
    m2m_changed.connect(_m2m, dispatch_uid="audit.m2m")
