from celery import shared_task

from . import services, shared


@shared_task(name="apps.intake.tasks.intake_deadline_warn", ignore_result=True)
def intake_deadline_warn() -> int:
    return services.cases_intake_deadline_warn()


@shared_task(name="apps.intake.tasks.cases_reconcile", ignore_result=True)
def cases_reconcile() -> int:
    return services.cases_reconcile()


@shared_task(name="apps.intake.tasks.cases_deem_accepted", ignore_result=True)
def cases_deem_accepted() -> int:
    return services.cases_deem_accepted()


@shared_task(name="apps.intake.tasks.cases_notice_lapse", ignore_result=True)
def cases_notice_lapse() -> int:
    return services.cases_notice_lapse()


@shared_task(name="apps.intake.tasks.commitments_follow_up", ignore_result=True)
def commitments_follow_up() -> int:
    return services.cases_commitment_remind() + services.cases_commitment_enforce()


@shared_task(name="apps.intake.tasks.cases_prefiling_lapse", ignore_result=True)
def cases_prefiling_lapse() -> int:
    return services.cases_prefiling_lapse()


@shared_task(name="apps.intake.tasks.cases_close_finished", ignore_result=True)
def cases_close_finished() -> int:
    return services.cases_close_finished()


@shared_task(name="apps.intake.tasks.licences_recheck", ignore_result=True)
def licences_recheck() -> int:
    return shared.licences_recheck()
