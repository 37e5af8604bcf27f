"""Writes for guidance: save a personal checklist, book from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.front.booking.models import Appointment, Hall
from apps.front.booking.services import appointment_book
from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Matter
from govservice.lib.codes import human_code
from govservice.lib.errors import DomainError
from govservice.lib.ratelimit import hit

from .demo import DEMO_QUESTIONS
from .models import Checklist, Option, Question, Rule
from .selectors import answers_clean, checklist_build, checklist_get, current_matter, questions_for_matter

# Saving a list costs a row, and anonymous visitors may save: a person answers a few times an hour at
# most, a script thousands. Counted per account, or per address when nobody is logged in.
CHECKLISTS_PER_HOUR = 60


def checklist_save(*, matter_code: str, raw_answers: Mapping[str, Any], user: User | None, ip: str = "") -> Checklist:
    """Answer the matter's questions and keep the list they produce: a citizen's in their account, an
    anonymous one under a code to share. Bad answers raise a 400 and nothing is saved."""
    ident = f"user:{user.pk}" if user is not None and user.is_authenticated else f"ip:{ip or 'unknown'}"
    allowed, retry_after = hit("guidance-checklist", ident, limit=CHECKLISTS_PER_HOUR, window_seconds=3600)
    if not allowed:
        raise DomainError(
            _("保存清单过于频繁，请%(minutes)s分钟后再试。") % {"minutes": retry_after // 60 + 1},
            code="rate_limited",
        )
    matter = current_matter(matter_code)
    questions = questions_for_matter(matter.code)
    answers = answers_clean(questions, raw_answers)
    built = checklist_build(matter=matter, questions=questions, answers=answers)
    owner = user if user is not None and user.is_authenticated and user.role == Role.CITIZEN else None
    items = built.items + built.excluded
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Checklist.objects.create(
                    code=human_code(10), citizen=owner, matter=matter, answers=answers, items=items
                )
        except IntegrityError:
            continue  # the code was taken: 31^8 codes make this rare; draw again
    raise DomainError(_("系统繁忙，请稍后重试。"), code="busy")


@transaction.atomic
def checklist_book(
    *, citizen: User, code: str, slot_id: int, idempotency_key: str = "", green_category: str = ""
) -> Appointment:
    """Book from a checklist: the appointment carries the list to the hall and into the online
    pre-filing. An anonymous list becomes the booking citizen's."""
    checklist = checklist_get(code=code, user=citizen)
    checklist = Checklist.objects.select_for_update().get(id=checklist.id)
    booked = checklist.appointment
    if booked is not None and booked.is_active and idempotency_key and booked.idempotency_key == idempotency_key:
        return booked  # the same request again (a double click): the same answer
    if booked is not None and booked.is_active:
        raise DomainError(
            _("这份清单已用于预约 %(code)s。") % {"code": booked.code},
            code="already_booked",
        )
    appointment = appointment_book(
        citizen=citizen,
        slot_id=slot_id,
        matter_code=checklist.matter.code,
        idempotency_key=idempotency_key,
        green_category=green_category,
    )
    checklist.citizen = citizen
    checklist.appointment = appointment
    checklist.save(update_fields=["citizen", "appointment"])
    return appointment


@transaction.atomic
def guidance_seed_demo(*, halls: Mapping[str, Hall]) -> dict[str, int]:
    """seed_demo's guidance step (booking's demo hook): the demo questions, the same in every hall."""
    return {"guided questions": guidance_load_demo()}


def guidance_load_demo() -> int:
    """Load the demo questions for the demo matters that exist; return how many questions were created.
    Idempotent: a question already there (by matter code and key) is left exactly as an administrator
    may have edited it."""
    created = 0
    for matter_code, questions in DEMO_QUESTIONS.items():
        matter = Matter.objects.filter(code=matter_code, is_current=True).prefetch_related("materials").first()
        if matter is None:
            continue
        keys = {m.key for m in matter.materials.all()}
        for position, row in enumerate(questions, start=1):
            if Question.objects.filter(matter_code=matter_code, key=row["key"]).exists():
                continue
            if any(rule["material_key"] not in keys for rule in row["rules"]):
                continue  # the catalog changed under the demo: never load a rule that cannot fire
            question = Question.objects.create(
                matter_code=matter_code,
                key=row["key"],
                position=position,
                text=row["text"],
                help_text=row["help_text"],
                kind=row["kind"],
            )
            for index, (value, label) in enumerate(row.get("options", []), start=1):
                Option.objects.create(question=question, value=value, label=label, position=index)
            for rule in row["rules"]:
                Rule.objects.create(question=question, **rule)
            created += 1
    return created
