"""The hall's side of a remote session's end, as central tells it (apps/front/remote/handlers.py): when central
concludes, the case is made as a window makes it (intake), with the application form the session filled in among
its materials; when nobody answered, a consultation ticket is opened for a call-back (consult)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.consult.services import ticket_open_for_callback
from apps.front.intake.services import RemoteLine, Upload, case_conclude_remote
from apps.front.online.form_pdf import application_form_pdf
from apps.shared.accounts.stand_ins import staff_stand_in
from apps.shared.catalog.rules import APPLICATION_FORM_KEY
from apps.shared.exchange import contract
from apps.shared.exchange.models import Peer
from apps.shared.exchange.remote import form_lines
from apps.shared.exchange.services import outbox_enqueue

from ..models import HallSession, SessionOutcome
from .sessions import event_record, session_end_here, session_locked

REMOTE_FORM_NAME = "远程申请表"


def _form_upload(session: HallSession, values: dict[str, str], *, at: dt.datetime) -> Upload | None:
    """The application form (申请表) the session filled in, as a PDF made as an online application's is
    (apps/front/online/form_pdf.py, the catalog's display of each answer): one of the case's
    materials, which goes to central with the others and which central's staff read like any other case's
    form. None when there is nothing to show (a matter without a form of its own, and no contact typed)."""
    matter = session.matter
    lines = form_lines(matter, values)
    if not any(text for _label, text in lines):
        return None
    scanned = set(session.scans.values_list("material__key", flat=True))
    form_material = matter.materials.filter(key=APPLICATION_FORM_KEY).first()
    pdf = application_form_pdf(
        title=REMOTE_FORM_NAME,
        code=str(session.id),
        matter=matter,
        hall=session.hall,
        applicant=session.citizen,
        answers=lines,
        materials=[
            (m.name, "form" if m.key == APPLICATION_FORM_KEY else "")
            for m in matter.materials.all()
            if m.key in scanned or m.key == APPLICATION_FORM_KEY
        ],
        at=at,
        via="远程虚拟窗口",
        confirmed="经远程虚拟窗口填写",
    )
    return Upload(
        form_material.id if form_material else None,
        SimpleUploadedFile(f"{REMOTE_FORM_NAME}.pdf", pdf, "application/pdf"),
        name=REMOTE_FORM_NAME,
    )


@transaction.atomic
def session_concluded(*, peer: Peer, payload: contract.RemoteConcluded) -> HallSession | None:
    """Central concluded: the case is made as a window makes it, with the remote staff member as its acceptor,
    and its number and documents go back to central's session log. None if the session is unknown here."""
    session = session_locked(payload.session)
    if session is None:
        return None
    if session.case_id is not None:
        return session
    acceptor = staff_stand_in(platform=peer.code, username=payload.staff.username, real_name=payload.staff.name)
    uploads = []
    for scan in session.scans.select_related("material"):
        with scan.file.open("rb") as handle:
            uploads.append(
                Upload(scan.material_id, SimpleUploadedFile(scan.original_name, handle.read(), scan.content_type))
            )
    # The form both sides filled in: central's copy (checked there before an acceptance), else the hall's own
    # (an older central that sent none). Kept as typed, field by field: nothing typed is lost.
    form = {str(k): str(v) for k, v in (payload.form or session.form or {}).items()}
    form_file = _form_upload(session, form, at=payload.concluded_at)
    if form_file is not None:
        uploads.append(form_file)
    case, password = case_conclude_remote(
        acceptor=acceptor,
        uploader=session.clerk or session.citizen,
        citizen=session.citizen,
        matter=session.matter,
        hall=session.hall,
        uploads=uploads,
        outcome=payload.outcome.value,
        items=payload.items,
        reason=payload.reason,
        refer_to=payload.refer_to,
        history=[RemoteLine(at=line.at, actor=line.actor, note=line.note) for line in payload.history],
        identity_note=payload.identity_note,
        ticket=session.ticket,
        hall_clerk=session.clerk,
    )
    if session.live:
        session_end_here(session, outcome=payload.outcome.value, note="")
    HallSession.objects.filter(id=session.id).update(
        case=case,
        query_password=password,
        outcome=payload.outcome.value,
        form=form,
        staff_label=session.staff_label or f"{payload.staff.department} {payload.staff.name}"[:100],
    )
    event_record(
        session,
        _("%(staff)s %(outcome)s，办件 %(number)s")
        % {
            "staff": f"{payload.staff.department} {payload.staff.name}",
            "outcome": SessionOutcome(payload.outcome.value).label,
            "number": case.number,
        },
        actor=acceptor,
    )
    outbox_enqueue(
        peer=peer,
        payload=contract.RemoteCaseOpened(
            session=str(session.id),
            number=case.number,
            status=case.status,
            documents=[
                contract.RemoteDocument(kind=d.kind, verification_code=d.verification_code)
                for d in case.documents.all()
            ],
        ),
        ordering_key=str(session.id),
    )
    session.refresh_from_db()
    return session


@transaction.atomic
def session_ended(*, payload: contract.RemoteEnded) -> HallSession | None:
    """Central ended the session without an outcome; a ring nobody answered leaves the hall a call-back to make."""
    session = session_locked(payload.session)
    if session is None:
        return None
    if session.live:
        session_end_here(session, outcome=payload.ending.value, note=payload.note)
    if payload.ending == contract.RemoteEnding.UNANSWERED and session.consult_ticket_id is None:
        when = timezone.localtime(session.started_at).strftime("%Y-%m-%d %H:%M")
        ticket = ticket_open_for_callback(
            citizen=session.citizen,
            matter=session.matter,
            hall=session.hall,
            title=_("远程视频服务未接通，请回电：%(matter)s") % {"matter": session.matter.name},
            content=_(
                "%(when)s 申请人在%(where)s发起远程视频服务（%(matter)s），审批总后台无人应答。请联系申请人说明办理方式。"
            )
            % {"when": when, "where": f"{session.hall.name} {session.device_label}", "matter": session.matter.name},
        )
        HallSession.objects.filter(id=session.id).update(consult_ticket=ticket)
        event_record(session, _("无人应答，已登记回电咨询工单 %(code)s") % {"code": ticket.code}, actor_label=_("系统"))
    return session
