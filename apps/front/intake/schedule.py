"""This app's periodic work (Celery beat). settings.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # 行政许可法 Art. 32: warn supervisors before a received case passes its 5-working-day limit.
    "intake-deadline-warn": {"task": "apps.intake.tasks.intake_deadline_warn", "schedule": 900.0},
    # Reconciliation: ask central about cases quiet for RECONCILE_QUIET_HOURS (heals missed events).
    "intake-reconcile": {"task": "apps.intake.tasks.cases_reconcile", "schedule": 3600.0},
}
