"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # 行政许可法 Art. 32: warn supervisors before a received case passes its 5-working-day limit.
    "intake-deadline-warn": {"task": "apps.intake.tasks.intake_deadline_warn", "schedule": 900.0},
    # Art. 32 (4): past the limit with no decision and no notice, the case is accepted by law (once).
    "intake-deemed-accept": {"task": "apps.intake.tasks.cases_deem_accepted", "schedule": 900.0},
    # 一次性告知 never answered: reminded before the last day, then deemed withdrawn (逾期未补正的，视为撤回申请), once.
    "intake-notice-lapse": {"task": "apps.intake.tasks.cases_notice_lapse", "schedule": 3600.0},
    # 容缺受理: remind before the deadline; past it with items owed, the consequence (once).
    "intake-commitments": {"task": "apps.intake.tasks.commitments_follow_up", "schedule": 3600.0},
    # 在线预填: a filing whose visit is over (cancelled, missed) lapses, once; one rescheduled follows the new visit.
    "intake-prefiling-lapse": {"task": "apps.intake.tasks.cases_prefiling_lapse", "schedule": 900.0},
    # 办结: delivered (or denied) cases closed after the rating period, once.
    "intake-close-finished": {"task": "apps.intake.tasks.cases_close_finished", "schedule": 3600.0},
    # Reconciliation: ask central about cases quiet for RECONCILE_QUIET_HOURS (heals missed events).
    "intake-reconcile": {"task": "apps.intake.tasks.cases_reconcile", "schedule": 3600.0},
    # Shared licences: confirm the library's licences held in vaults before they go stale (issue 16).
    "intake-licences-recheck": {"task": "apps.intake.tasks.licences_recheck", "schedule": 1800.0},
}
