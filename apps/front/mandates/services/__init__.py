"""Services of legal persons and agents, by purpose: companies.py (a company's account, verified against the
register, and the 经办人 its legal representative authorises), granting.py (a person's 委托书 given and confirmed
by SMS code, the paper letter recorded at the window), revoking.py (ending a mandate at once), acting.py (what an
agent does for the principal, each act checked); beneath them terms.py (the people and terms every mandate is
checked for) and records.py (a mandate's number, letter and events: the grant and the record of acts). Other
apps import from here."""

from .acting import WindowCheck, agent_book, agent_cancel, agent_document, window_check
from .companies import company_agent_grant, company_register
from .granting import mandate_code_resend, mandate_confirm, mandate_grant, mandate_record_paper
from .records import mandate_act_record
from .revoking import mandate_revoke
from .terms import agent_find

__all__ = [
    "WindowCheck",
    "agent_book",
    "agent_cancel",
    "agent_document",
    "agent_find",
    "company_agent_grant",
    "company_register",
    "mandate_act_record",
    "mandate_code_resend",
    "mandate_confirm",
    "mandate_grant",
    "mandate_record_paper",
    "mandate_revoke",
    "window_check",
]
