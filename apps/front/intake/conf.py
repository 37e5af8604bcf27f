"""Business knobs of intake (govservice/lib/knobs.py: a Django setting of the same name wins, then the
environment variable, then the default here). Every variable is also listed in ``.env.example``.
The remedies printed on refusals stay in settings (REMEDIES_TEXT): central prints them too."""

from __future__ import annotations

from govservice.lib.envvars import env_int
from govservice.lib.knobs import AppConf, Knob


class IntakeConf(AppConf):
    # Days within which the one-time notice of missing materials (一次性告知) must be given; after them the
    # application counts as accepted (DOMAIN.md §4, 行政许可法 Art. 32: 5 days).
    INTAKE_NOTICE_DAYS = Knob(env_int, 5)
    # Hall supervisors are warned this many working days before the intake limit runs out (setting).
    INTAKE_WARN_WORKDAYS_BEFORE = Knob(env_int, 1)
    # 容缺受理: days the applicant has to supply the deferred items (DOMAIN.md §4, local practice: 7).
    COMMITMENT_DAYS = Knob(env_int, 7)
    # A one-time notice (一次性告知) not answered within this many calendar days (ending on a working day, 民法典
    # Art. 203) ends the application: deemed withdrawn (逾期未补正的，视为撤回申请; setting). The applicant is
    # reminded HELD_NOTICE_REMIND_DAYS_BEFORE days before the last day (setting).
    HELD_NOTICE_ANSWER_DAYS = Knob(env_int, 30)
    HELD_NOTICE_REMIND_DAYS_BEFORE = Knob(env_int, 3)
    # 网上预审 (issue 15, DOMAIN.md §9): an online application is pre-reviewed within this many working days of
    # its submission, or of its completion after a one-time notice (setting; one working day by default).
    PREREVIEW_WORKDAYS = Knob(env_int, 1)
    # The applicant is reminded of the deferred items this many days before their deadline (setting).
    COMMITMENT_REMIND_DAYS_BEFORE = Knob(env_int, 2)
    # A broken commitment's credit record bars 容缺受理 for this many days (信用修复 after; setting).
    COMMITMENT_CREDIT_DAYS = Knob(env_int, 365)
    # A case waiting on central with no news for this many hours is reconciled: its state is asked for
    # again, which heals a lost message (DESIGN.md §5; setting).
    RECONCILE_QUIET_HOURS = Knob(env_int, 24)
    # 办结: a case delivered (or denied) is closed this many working days later, once the period in which the
    # applicant may still rate it by SMS link has passed (DOMAIN.md §7: 5 working days; setting).
    CASE_CLOSE_AFTER_WORKDAYS = Knob(env_int, 5)
    # Shared licences (issue 16, apps/central/licences): seconds the front waits for the library; a licence
    # held from it is offered only while confirmed valid within LICENCE_RECHECK_SECONDS (the periodic check
    # renews it; a revocation message ends it at once).
    LICENCES_TIMEOUT = Knob(env_int, 5)
    LICENCE_RECHECK_SECONDS = Knob(env_int, 6 * 3600)
    # One person across platforms: seconds to wait for each other platform's list of the person's cases.
    PLATFORM_CASES_TIMEOUT = Knob(env_int, 3)


intake_conf = IntakeConf()
