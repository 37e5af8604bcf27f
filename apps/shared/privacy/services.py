"""The personal-information lifecycle: the retention job, the citizen's export of their data, and the deletion
of an account (PIPL Art. 19, 45, 47). What each app holds is told by the app (registry.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import tempfile
import time
import zipfile
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from govservice.lib.errors import DomainError, Throttled
from govservice.lib.ratelimit import hit

from . import registry
from .conf import privacy_conf
from .models import AccountDeletion, Consent, DataExport, RetentionRun

logger = logging.getLogger(__name__)

EXPORT_FORMAT_VERSION = 1


# --- Retention -------------------------------------------------------------------------------------------


def period_days(kind: registry.RecordKind) -> int:
    """The kind's period from its knob, never below the legal minimum it declares."""
    days = int(getattr(privacy_conf, kind.knob))
    if days < kind.minimum_days:
        logger.warning(
            "%s=%d is below the legal minimum of %s (%d days); the minimum applies",
            kind.knob,
            days,
            kind.key,
            kind.minimum_days,
        )
        return kind.minimum_days
    return days


def _delete_rows(model: type[models.Model], pks: list[Any]) -> int:
    """Delete rows by primary key; one a protected reference keeps stays (it waits for what holds it)."""
    try:
        with transaction.atomic():
            deleted = model._default_manager.filter(pk__in=pks).delete()[1].get(model._meta.label, 0)
        return deleted
    except (ProtectedError, RestrictedError, IntegrityError):
        pass
    done = 0
    for pk in pks:
        try:
            with transaction.atomic():
                done += model._default_manager.filter(pk=pk).delete()[1].get(model._meta.label, 0)
        except (ProtectedError, RestrictedError, IntegrityError):
            logger.info("privacy retention: %s %s kept (still referenced)", model._meta.label, pk)
    return done


def _apply_kind(kind: registry.RecordKind, cutoff: dt.datetime, *, batch: int, deadline: float) -> tuple[int, bool]:
    """Work through the kind's due rows in primary-key order, one batch per transaction; returns the rows
    done and whether the kind finished (False when the run's time ran out)."""
    done = 0
    last: Any = None
    while True:
        if time.monotonic() > deadline:
            return done, False
        due = kind.due(cutoff)
        if last is not None:
            due = due.filter(pk__gt=last)
        pks = list(due.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return done, True
        last = pks[-1]
        with transaction.atomic():
            if kind.apply is not None:
                done += kind.apply(pks)
            else:
                done += _delete_rows(due.model, pks)


def retention_run(
    *, now: dt.datetime | None = None, dry_run: bool = False, only: set[str] | None = None
) -> RetentionRun:
    """Delete or anonymise every record past its period (conf.py), kind by kind. Idempotent: a row dealt
    with no longer matches its kind, so a second run finds nothing; each batch commits on its own, so a run
    stopped half-way (time budget, worker killed) loses nothing and the next one goes on. A dry run counts."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now, dry_run=dry_run)
    deadline = time.monotonic() + privacy_conf.PRIVACY_RUN_MAX_SECONDS
    counts: dict[str, int] = {}
    complete = True
    for kind in registry.kinds():
        if only and kind.key not in only:
            continue
        cutoff = now - dt.timedelta(days=period_days(kind))
        if dry_run:
            counts[kind.key] = kind.due(cutoff).count()
        else:
            counts[kind.key], finished = _apply_kind(
                kind, cutoff, batch=privacy_conf.PRIVACY_BATCH_SIZE, deadline=deadline
            )
            complete = complete and finished
        if counts[kind.key]:
            logger.info(
                "privacy retention %s: %s %d %s (period ended before %s)",
                "due" if dry_run else "done",
                kind.action,
                counts[kind.key],
                kind.key,
                cutoff.date().isoformat(),
            )
    run.finished_at = timezone.now()
    run.counts = counts
    run.complete = complete
    run.save(update_fields=["finished_at", "counts", "complete"])
    logger.info(
        "privacy retention run %s: %d rows %s%s",
        run.pk,
        sum(counts.values()),
        "due" if dry_run else "done",
        "" if complete else " (stopped, to be continued)",
    )
    return run


# --- The citizen's export (PIPL Art. 45) --------------------------------------------------------------


def _limit_exports(user: Any) -> None:
    allowed, retry_after = hit(
        "privacy-export", str(user.pk), limit=privacy_conf.PRIVACY_EXPORTS_PER_DAY, window_seconds=24 * 3600
    )
    if not allowed:
        raise Throttled(
            _("今天导出个人信息的次数已达上限，请%(seconds)s秒后再试。") % {"seconds": retry_after},
            code="rate_limited",
            retry_after=retry_after,
        )


def export_data(user: Any, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything this site holds about the user, by owning app (JSON-ready)."""
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "generated_at": (now or timezone.now()).isoformat(),
        "sections": {section.name: section.data(user) for section in registry.export_sections()},
    }


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def export_json(*, user: Any, channel: str) -> bytes:
    """The export as one JSON document; counted against the daily limit and logged."""
    _limit_exports(user)
    body = _dumps(export_data(user))
    _record_export(user=user, fmt="json", channel=channel, size=len(body))
    return body


def export_zip(*, user: Any, channel: str) -> tempfile.SpooledTemporaryFile[bytes]:
    """The export as a zip: ``data.json`` and the citizen's own files under ``files/``. Returned as an open
    temporary file positioned at its start (large ones spill to disk, never all in memory)."""
    _limit_exports(user)
    data = export_data(user)
    # Handed to the response, which closes it once sent.
    out: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    listed: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in registry.export_sections():
            for item in section.files(user) if section.files else ():
                arcname = f"files/{section.name}/{item.path}"
                try:
                    with item.file.open("rb") as source, archive.open(arcname, "w") as target:
                        shutil.copyfileobj(source, target, 1024 * 1024)
                except OSError:
                    logger.warning("export for user %s: file of %s missing", user.pk, section.name)
                    listed.append({"path": arcname, "missing": True})
                    continue
                listed.append({"path": arcname, "missing": False})
        data["files"] = listed
        archive.writestr("data.json", _dumps(data))
    size = out.tell()
    out.seek(0)
    _record_export(user=user, fmt="zip", channel=channel, size=size)
    return out


def _record_export(*, user: Any, fmt: str, channel: str, size: int) -> None:
    DataExport.objects.create(user=user, format=fmt, channel=channel, size=size)
    # Never personal data in a log line (DOMAIN.md §8): the account's id only.
    logger.info("personal data export: user %s, %s, %d bytes, %s", user.pk, fmt, size, channel)


# --- Deleting an account (PIPL Art. 47) ------------------------------------------------------------------


def deletion_blockers(user: Any) -> list[DomainError]:
    """Why the account cannot be deleted now, from every app's guard (empty: it can)."""
    found = []
    for guard in registry.guards():
        try:
            guard(user)
        except DomainError as exc:
            found.append(exc)
    return found


def account_delete(*, user: Any, password: str, channel: str) -> AccountDeletion:
    """Delete a citizen's account at their request, after the password is typed again. Refused while a case
    is open or an appointment is ahead (the apps' guards say which, with their codes). Otherwise each app
    erases or detaches what it holds, then the account is emptied of the person and can never sign in again
    (its tokens and sessions end); case files stay as the law keeps them, pointing at the emptied account."""
    if not getattr(user, "is_citizen", False):
        raise DomainError(_("只有市民账户可以在线注销。"), code="not_citizen")
    if not password or not user.check_password(password):
        raise DomainError(_("密码不正确。"), code="wrong_password")
    model = get_user_model()
    with transaction.atomic():
        # The account's row lock: two deletions (or a deletion and a booking that locks the citizen) queue.
        user = model._default_manager.select_for_update().get(pk=user.pk)
        if AccountDeletion.objects.filter(user=user).exists():
            raise DomainError(_("该账户已注销。"), code="invalid_state")
        for guard in registry.guards():
            guard(user)
        erased: dict[str, int] = {}
        Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        Consent.objects.filter(user=user).update(reference="")
        for name, eraser in registry.erasers():
            erased.update({f"{name}.{what}": count for what, count in eraser(user).items()})
        record = AccountDeletion.objects.create(user=user, channel=channel, erased=erased)
    logger.info("account %s deleted at its owner's request (%s)", user.pk, channel)
    return record


def is_deleted(user: Any) -> bool:
    return AccountDeletion.objects.filter(user=user).exists()
