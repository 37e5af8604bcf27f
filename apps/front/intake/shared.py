"""What this platform takes from the other sites for its citizens, over the signed wire (DESIGN.md §10,
issue 16), and what it answers them.

- **Shared licences** (电子证照库, apps/central/licences): with the citizen's consent, the licences a matter
  needs are fetched from the library of every central this front knows (exchange.peers.centrals: its own and
  the routed ones) into the citizen's vault as A-level evidence, so the checklist (guidance) and intake mark
  those materials "no need to submit"; a central that is away is named, and the others' licences still come.
  A licence held from a library is offered only while confirmed valid within LICENCE_RECHECK_SECONDS by the
  central that gave it (``licences_recheck``, periodic); a revocation message from any central
  (``handlers.licence_revoked``) ends it at once.
- **One person across platforms**: a verified citizen's cases at the other front platforms
  (exchange.platforms.peers_platforms) are asked for when shown and never stored here; each platform
  finds the person by its own blind index, both having matched the person with the registry.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.messages import constants as message_levels
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.models import Material, MaterialSource, Matter
from apps.shared.exchange import contract
from apps.shared.exchange.conf import exchange_conf
from apps.shared.exchange.models import Peer
from apps.shared.exchange.peers import centrals
from apps.shared.exchange.platforms import peers_platforms
from apps.shared.exchange.questions import PeerRefused, PeerUnavailable, ask
from apps.shared.privacy.consents import consent_record, consent_require
from apps.shared.privacy.models import Channel, ConsentPurpose
from govservice.lib.errors import DomainError

from .conf import intake_conf
from .models import Case, EvidenceItem, TrustLevel

logger = logging.getLogger(__name__)


class LicencesUnavailable(DomainError):
    default_code = "licences_unavailable"


@dataclass(frozen=True)
class LicencesFetched:
    """What a fetch kept in the vault, and the centrals whose library did not answer (their licences, if any,
    could not be fetched this time)."""

    items: list[EvidenceItem]
    unreachable: list[Peer] = field(default_factory=list)

    def outcome(self) -> list[tuple[int, str]]:
        """What the citizen is told after the fetch, as (messages level, text): how many licences came, or that
        none of theirs is needed, and which centrals did not answer. One wording for every page that fetches."""
        told = []
        if self.items:
            told.append(
                (
                    message_levels.SUCCESS,
                    _("已从电子证照库调取 %(n)d 份证照，相应材料无需提交。") % {"n": len(self.items)},
                )
            )
        elif not self.unreachable:
            told.append((message_levels.INFO, _("电子证照库中没有本事项所需的您的证照。")))
        if self.unreachable:
            told.append((message_levels.WARNING, self.unreachable_notice()))
        return told

    def unreachable_notice(self) -> str:
        """What the citizen or clerk is told of the centrals that did not answer ("" when all did)."""
        if not self.unreachable:
            return ""
        return _("%(names)s的电子证照库暂时无法访问，其中的证照本次未能调取，可稍后再试或提交纸质材料。") % {
            "names": "、".join(peer.name for peer in self.unreachable)
        }


def _unavailable() -> LicencesUnavailable:
    return LicencesUnavailable(_("电子证照库暂时无法访问，请稍后再试或提交纸质材料。"), code="licences_unavailable")


def licences_fetch(
    *,
    citizen: User,
    matter: Matter,
    reference: str,
    purpose: str,
    consent_given: bool,
    channel: str = Channel.WEB,
    recorded_by: User | None = None,
) -> LicencesFetched:
    """Ask the library of every central this front knows (peers.centrals: its own, the routed ones) for the
    citizen's licences that ``matter`` needs (its government-issued materials), for the case or checklist
    ``reference``; keep each in the vault as A-level evidence named after the material it stands for, with the
    central that gave it. Refused without the citizen's consent, which is recorded first. A central that is
    away does not hide the others' licences: it is named in the result. Only when none answered is it an
    error: unavailable if one was away, else the first refusal (the platform's own central's first)."""
    consent_require(given=consent_given, purpose=ConsentPurpose.VAULT_REUSE)
    if not citizen.is_real_name_verified or not citizen.id_number:
        raise DomainError(_("须完成实名核验后才能调取电子证照。"), code="verification_required")
    materials = {m.key: m for m in matter.materials.all() if m.source == MaterialSource.GOVERNMENT}
    if not materials:
        return LicencesFetched(items=[])
    with transaction.atomic():
        consent = consent_record(
            user=citizen,
            purpose=ConsentPurpose.VAULT_REUSE,
            channel=channel,
            reference=reference,
            recorded_by=recorded_by,
        )
    libraries = centrals()
    if not libraries:
        raise _unavailable()
    question = contract.LicenceQuestion(
        person=contract.PersonAsked(name=citizen.real_name, id_number=citizen.id_number),
        purpose=purpose,
        reference=reference,
        matter_code=matter.code,
        material_keys=sorted(materials),
        consent=contract.ConsentGiven(purpose=consent.purpose, version=consent.version, given_at=consent.given_at),
    )
    answers: list[tuple[Peer, contract.LicenceAnswer]] = []
    unreachable: list[Peer] = []
    refusals: list[PeerRefused] = []
    # One after another, each within LICENCES_TIMEOUT: a front knows a handful of centrals.
    for peer in libraries:
        try:
            data = ask(
                peer=peer,
                url=peer.base_url.rstrip("/") + contract.LICENCE_QUERY_PATH,
                payload=question.model_dump(mode="json"),
                timeout=intake_conf.LICENCES_TIMEOUT,
            )
            answers.append((peer, contract.LicenceAnswer.model_validate(data)))
        except PeerRefused as exc:
            # A central may not know the matter (another region's catalog): its refusal is its own.
            logger.info("licence question to %s refused: %s", peer.code, exc.code)
            refusals.append(exc)
        except (PeerUnavailable, ValidationError):
            unreachable.append(peer)
    if not answers:
        if unreachable or not refusals:
            raise _unavailable()
        first = refusals[0]
        raise DomainError(first.detail or _("电子证照库拒绝了本次调取。"), code=first.code)
    kept: list[EvidenceItem] = []
    for peer, answer in answers:
        for given in answer.licences:
            item = _keep(citizen=citizen, peer=peer, given=given, materials=materials)
            if item is not None and item not in kept:
                kept.append(item)
    return LicencesFetched(items=kept, unreachable=unreachable)


def _keep(
    *, citizen: User, peer: Peer, given: contract.LicenceGiven, materials: dict[str, Material]
) -> EvidenceItem | None:
    """One licence a central gave, in the vault (found again by its file's digest), confirmed valid now."""
    try:
        pdf = base64.b64decode(given.pdf, validate=True)
    except (binascii.Error, ValueError):
        pdf = b""
    digest = hashlib.sha256(pdf).hexdigest()
    if not pdf or not hmac.compare_digest(digest, given.sha256) or given.material_key not in materials:
        logger.warning("licence %s from %s refused: its file or material does not match", given.number, peer.code)
        return None
    now = timezone.now()
    item = EvidenceItem.objects.filter(citizen=citizen, sha256=digest).first()
    if item is None:
        item = EvidenceItem(
            citizen=citizen,
            name=materials[given.material_key].name,
            trust_level=TrustLevel.A,
            issuer=given.issuer,
            content_type="application/pdf",
            size=len(pdf),
            sha256=digest,
            valid_until=given.valid_until,
            licence_number=given.number,
            licence_checked_at=now,
            licence_peer=peer,
        )
        item.file.save(f"licence-{given.number}.pdf", ContentFile(pdf), save=False)
        item.save()
    else:
        EvidenceItem.objects.filter(id=item.id).update(
            licence_number=given.number,
            licence_checked_at=now,
            licence_peer=peer,
            revoked_at=None,
            trust_level=TrustLevel.A,
        )
    return item


def licences_fetch_for_case(*, case: Case, by: User, consent_given: bool, channel: str) -> LicencesFetched:
    """The same for a case at intake: the purpose and the case's number go with the question."""
    return licences_fetch(
        citizen=case.citizen,
        matter=case.matter,
        reference=case.number,
        purpose=_("受理办件：%(matter)s") % {"matter": case.matter.name},
        consent_given=consent_given,
        channel=channel,
        recorded_by=by if by.id != case.citizen_id else None,
    )


def _status(peer: Peer, question: contract.LicenceStatusQuestion) -> contract.LicenceStatusAnswer:
    data = ask(
        peer=peer,
        url=peer.base_url.rstrip("/") + contract.LICENCE_STATUS_PATH,
        payload=question.model_dump(mode="json"),
        timeout=intake_conf.LICENCES_TIMEOUT,
    )
    return contract.LicenceStatusAnswer.model_validate(data)


def licences_recheck(*, batch: int = 100) -> int:
    """Confirm the licences held in vaults before they go stale, each with the central that gave it (or whose
    case issued it; the platform's own central for one kept before either was recorded): renewed when still
    valid, ended when revoked, expired or unknown there. Returns how many were ended. A central away: its
    licences stay as they are, and what goes stale meanwhile is not offered (never a silent pass); the
    others' are checked all the same."""
    half = dt.timedelta(seconds=intake_conf.LICENCE_RECHECK_SECONDS / 2)
    due = (
        EvidenceItem.objects.exclude(licence_number="")
        .filter(revoked_at__isnull=True)
        .filter(Q(licence_checked_at__isnull=True) | Q(licence_checked_at__lt=timezone.now() - half))
        .annotate(library=Coalesce("licence_peer_id", "origin_case__central_id"))
    )
    by_library: dict[int | None, set[str]] = {}
    for library, number in due.values_list("library", "licence_number"):
        by_library.setdefault(library, set()).add(number)
    default = Peer.objects.filter(code=exchange_conf.EXCHANGE_CENTRAL_PEER).first()
    peers = {p.id: p for p in Peer.objects.filter(id__in=[k for k in by_library if k is not None])}
    ended = 0
    for library, numbers in by_library.items():
        peer = peers.get(library) if library is not None else default
        if peer is None or not peer.active:
            logger.warning("licence re-check: %d licences of an unknown or inactive library wait", len(numbers))
            continue
        held = due.filter(library=library) if library is not None else due.filter(library__isnull=True)
        ended += _recheck_at(peer, sorted(numbers), held, batch=batch)
    return ended


def _recheck_at(peer: Peer, numbers: list[str], held, *, batch: int) -> int:
    ended = 0
    for start in range(0, len(numbers), batch):
        chunk = numbers[start : start + batch]
        try:
            answer = _status(peer, contract.LicenceStatusQuestion(numbers=chunk))
        except (PeerUnavailable, ValidationError):
            logger.warning("licence re-check: the library of %s did not answer", peer.code)
            return ended
        now = timezone.now()
        valid = [n for n in chunk if answer.states.get(n) == contract.LicenceState.VALID]
        gone = [n for n in chunk if n not in valid]
        ids = list(held.filter(licence_number__in=chunk).values_list("id", flat=True))
        items = EvidenceItem.objects.filter(id__in=ids, revoked_at__isnull=True)
        items.filter(licence_number__in=valid).update(licence_checked_at=now)
        ended += items.filter(licence_number__in=gone).update(revoked_at=now)
    return ended


# The verification page is public: what the library said of a code is kept this long, so a burst of views
# is not a burst of questions to central.
LICENCE_PUBLIC_CACHE_SECONDS = 60


def licence_public(code: str) -> contract.LicencePublic | None:
    """What the library that holds a licence says of it by its verification code (state, issuer, the office's
    certificate), for the public verification page: each central this front knows is asked in turn until one
    holds it. None when none holds it or none can be asked (not kept then, when one was away)."""
    code = code.strip().upper()[:16]
    if not code:
        return None
    key = f"licence-public:{code}"
    cached = cache.get(key)
    if cached is not None:
        return contract.LicencePublic.model_validate(cached) if cached else None
    away = False
    for peer in centrals():
        try:
            answer = _status(peer, contract.LicenceStatusQuestion(codes=[code]))
        except (PeerUnavailable, ValidationError):
            away = True
            continue
        found = answer.by_code.get(code)
        if found is not None:
            cache.set(key, found.model_dump(mode="json"), LICENCE_PUBLIC_CACHE_SECONDS)
            return found
    if not away:
        cache.set(key, {}, LICENCE_PUBLIC_CACHE_SECONDS)
    return None


# --- One person across platforms ---------------------------------------------------------------------------


def platform_cases_answer(
    *, peer: Peer, question: contract.PlatformCasesQuestion, platform_name: str
) -> contract.PlatformCasesAnswer:
    """Another platform asks for a person's cases here: found only as a verified account with this ID number
    (our own blind index) under the same name; otherwise none. Only the front platforms this one lists
    (EXCHANGE_PLATFORM_PEERS) are answered: any other peer (a central) is refused. The record of the question
    names the asking platform and its purpose, never the person."""
    if peer.id not in {p.id for p in peers_platforms()}:
        logger.warning(
            "peer %s asked for a person's cases (%s): refused, not a platform of this one",
            peer.code,
            question.purpose[:100],
        )
        raise DomainError(_("只答复本平台所列的其他前台平台。"), code="not_a_platform")
    citizen = citizen_verified_by_id_number(question.person.id_number)
    same = citizen is not None and hmac.compare_digest(
        "".join(citizen.real_name.split()).encode(), "".join(question.person.name.split()).encode()
    )
    logger.info(
        "platform %s asked for a person's cases (%s): %s",
        peer.code,
        question.purpose[:100],
        "found" if same else "none",
    )
    if citizen is None or not same:
        return contract.PlatformCasesAnswer(platform=platform_name, cases=[])
    cases = Case.objects.filter(citizen=citizen).select_related("matter", "hall").order_by("-received_at")[:50]
    return contract.PlatformCasesAnswer(
        platform=platform_name,
        cases=[
            contract.PlatformCase(
                number=case.number,
                matter=case.matter.name,
                status=case.status,
                status_label=str(case.get_status_display()),
                received_at=case.received_at,
                hall=case.hall.name,
            )
            for case in cases
        ],
    )


def cases_elsewhere(*, citizen: User) -> list[dict[str, Any]]:
    """The citizen's cases at every other platform, asked now and not kept: one entry per platform with its
    cases, or ``unavailable`` when it did not answer. Only for a citizen verified against the registry."""
    if not citizen.is_real_name_verified or not citizen.id_number:
        return []
    question = contract.PlatformCasesQuestion(
        person=contract.PersonAsked(name=citizen.real_name, id_number=citizen.id_number),
        purpose=_("本人跨平台查看办件"),
    )
    found: list[dict[str, Any]] = []
    for peer in peers_platforms():
        try:
            data = ask(
                peer=peer,
                url=peer.base_url.rstrip("/") + contract.PLATFORM_CASES_PATH,
                payload=question.model_dump(mode="json"),
                timeout=intake_conf.PLATFORM_CASES_TIMEOUT,
            )
            answer = contract.PlatformCasesAnswer.model_validate(data)
        except (PeerUnavailable, ValidationError):
            found.append({"peer": peer.code, "platform": peer.name, "cases": [], "unavailable": True})
            continue
        found.append({"peer": peer.code, "platform": peer.name, "cases": list(answer.cases), "unavailable": False})
    return found
