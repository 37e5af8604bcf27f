"""Knobs of the personal-information lifecycle (govservice/lib/knobs.py: a Django setting of the same name
wins, then the environment variable, then the default here). Every variable is also listed in ``.env.example``.

How long each kind of record is kept, in days, and where the default comes from. The rule for each kind
(which rows, delete or anonymise) lives beside its data, in the owning app's ``privacy.py``; the periods
live here, in one place, so that an operator reads them together. PIPL Art. 19 (个人信息保护法 第十九条):
unless a law or regulation says otherwise, personal information is kept for the shortest time its purpose
needs; where a law sets a minimum, the kind also declares it and a shorter setting is raised to it.
"""

from __future__ import annotations

from govservice.lib.envvars import env_int
from govservice.lib.knobs import AppConf, Knob

YEAR = 365


class PrivacyConf(AppConf):
    # --- Sign-in and verification (apps/shared/accounts) -----------------------------------------------------
    # SMS one-time challenges, counted from the moment they expired: a spent or expired code opens nothing, and
    # a day is enough to look into abuse (PIPL Art. 19: the shortest time the purpose needs).
    RETENTION_PHONE_CHALLENGES_DAYS = Knob(env_int, 1)
    # Registrations never verified (inactive, never signed in), counted from registration: they hold a name,
    # an ID number and a phone nobody proved (PIPL Art. 47: deleted once the purpose cannot be reached). A month
    # leaves time for the person whose number was taken to prove themselves at a hall window (setting).
    RETENTION_PENDING_ACCOUNTS_DAYS = Knob(env_int, 30)
    # The log of views of clear ID numbers: a record of processing, kept three years (PIPL Art. 56: 处理情况记录
    # 应当至少保存三年). Minimum three years.
    RETENTION_DATA_ACCESS_LOG_DAYS = Knob(env_int, 3 * YEAR)
    # Login attempts, lockouts and the login log: network logs, kept at least six months (网络安全法 第二十一条
    # 第三项: 留存相关的网络日志不少于六个月). Minimum 180 days.
    RETENTION_LOGIN_RECORDS_DAYS = Knob(env_int, 180)
    # Sessions and API tokens, counted from their expiry: an expired one opens nothing (PIPL Art. 19).
    RETENTION_EXPIRED_SESSIONS_DAYS = Knob(env_int, 0)
    # --- The wire (apps/shared/exchange) and the audit trail -----------------------------------------------
    # Delivered outbox messages (their payload names the applicant) and the inbox's record of messages taken:
    # network logs (网络安全法 第二十一条, at least six months). Minimum 180 days.
    RETENTION_EXCHANGE_MESSAGES_DAYS = Knob(env_int, 180)
    # The audit trail (django-pghistory) of records other than case files: a record of processing (PIPL Art.
    # 56, at least three years). A case file's trail stays with the case file. Minimum three years.
    RETENTION_AUDIT_EVENTS_DAYS = Knob(env_int, 3 * YEAR)
    # This app's own records of processing: exports made and runs of the retention job (PIPL Art. 56).
    RETENTION_PRIVACY_RECORDS_DAYS = Knob(env_int, 3 * YEAR)
    # --- Case files (档案): front apps/front/intake, central apps/central/review ----------------------------------
    # A case file (the case, its events and documents, the materials received and their scans, its audit trail)
    # is an archive record: 档案法 and 《机关文件材料归档范围和文书档案保管期限规定》(国家档案局令第8号) keep
    # it 10 years, 30 years or permanently by its class; 30 years (定期30年) here, counted from the case's last
    # change once it is finished. It is never deleted early and an account's deletion only detaches it; at the
    # end of the period it is anonymised (the person's name, ID number and scans go, the case's facts stay).
    # Minimum 30 years: a longer class (or permanent) is a longer setting.
    RETENTION_CASE_FILES_DAYS = Knob(env_int, 30 * YEAR)
    # --- The citizen's other records at the front (no law sets these: local practice, setting) ----------------
    # Appointments, waitlist entries and penalty standing; anonymised (the statistics row stays, the person goes).
    RETENTION_APPOINTMENTS_DAYS = Knob(env_int, 3 * YEAR)
    # Queue tickets of the hall floor; anonymised.
    RETENTION_HALL_TICKETS_DAYS = Knob(env_int, 3 * YEAR)
    # Consultation tickets (咨询工单) and their messages; anonymised.
    RETENTION_CONSULTATIONS_DAYS = Knob(env_int, 3 * YEAR)
    # 好差评 evaluations (anonymised: the score, unit and matter stay for the statistics) and rating links.
    RETENTION_RATINGS_DAYS = Knob(env_int, 3 * YEAR)
    # Messages (inbox, SMS and e-mail log) and the gateway's receipts; anonymised: the event, channel and
    # delivery status stay, the text goes. At least six months (network log).
    RETENTION_NOTIFICATIONS_DAYS = Knob(env_int, YEAR)
    # The recipient's name, phone and address of a posted result, counted from delivery; the courier's pushes.
    RETENTION_DELIVERY_ADDRESSES_DAYS = Knob(env_int, YEAR)
    # Personal checklists (guided questions' answers).
    RETENTION_CHECKLISTS_DAYS = Knob(env_int, YEAR)
    # Online applications (apps/front/online, issue 15): a draft never submitted, counted from its last change
    # (the applicant may come back to it for this long); deleted with its files.
    RETENTION_ONLINE_DRAFTS_DAYS = Knob(env_int, 180)
    # A submitted application's working copy (its answers, the recipient's address, its uploads), counted from the
    # end of its case: what was submitted stays in the case file (the generated application form among the case's
    # materials), so the copy is anonymised.
    RETENTION_ONLINE_APPLICATIONS_DAYS = Knob(env_int, YEAR)
    # The evidence vault (证照库): copies kept for reuse in the citizen's next cases, counted from when they
    # were kept; a copy that is also part of a case file stays with the case file.
    RETENTION_VAULT_DAYS = Knob(env_int, 5 * YEAR)
    # Electronic 委托书 (apps/front/mandates) the principal never confirmed by SMS, counted from when they were
    # made: nothing was done under them (PIPL Art. 19). A confirmed or paper one is kept with the case files
    # it served (RETENTION_CASE_FILES_DAYS from its end).
    RETENTION_UNCONFIRMED_MANDATES_DAYS = Knob(env_int, 30)
    # Credit records of broken 容缺 commitments (失信记录), counted from when they were written: 国办发〔2020〕49号
    # keeps a dishonesty record public for at most five years; after that nothing may rest on it.
    RETENTION_CREDIT_RECORDS_DAYS = Knob(env_int, 5 * YEAR)
    # --- The remote virtual window (apps/front/remote, apps/central/remote) ---------------------------------
    # A remote session's record at each site (who, when, which device, its log, the shared form, the scans;
    # the applicant consented to it), counted from the session's end: a record of processing (PIPL Art. 56,
    # at least three years), then deleted. A case it led to is a case file of its own. Minimum three years.
    RETENTION_REMOTE_SESSIONS_DAYS = Knob(env_int, 3 * YEAR)
    # --- Central's population registry (apps/central/registry) -------------------------------------------
    # Questions asked of the registry (who asked, why, about which keyed hash): PIPL Art. 56, three years.
    RETENTION_REGISTRY_QUERIES_DAYS = Knob(env_int, 3 * YEAR)
    # --- Central's licence library (apps/central/licences) ----------------------------------------------
    # Questions asked of the library (who asked, why, for which case, what was given): PIPL Art. 56, three years.
    RETENTION_LICENCE_QUERIES_DAYS = Knob(env_int, 3 * YEAR)
    # Licences that expired or were revoked, counted from then: kept for checks of what relied on them.
    RETENTION_LICENCES_DAYS = Knob(env_int, 5 * YEAR)

    # --- The job and the citizen's own requests --------------------------------------------------------------
    # Rows handled per transaction by the retention job, and the seconds one run may take before it stops (the
    # next run goes on where it stopped; the Celery task's soft limit is above this).
    PRIVACY_BATCH_SIZE = Knob(env_int, 500)
    PRIVACY_RUN_MAX_SECONDS = Knob(env_int, 200)
    # Exports of one's own data per citizen per day (an export reads everything held about a person).
    PRIVACY_EXPORTS_PER_DAY = Knob(env_int, 5)


privacy_conf = PrivacyConf()
