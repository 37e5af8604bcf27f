"""Services of legal persons and agents, by purpose: companies.py (a company's account, verified against the
register), mandates.py (giving, confirming, revoking, the paper letter at the window, the record of acts),
acting.py (what an agent does for the principal, each act checked). Other apps import from here."""

from .acting import WindowCheck, agent_book, agent_cancel, agent_document, window_check
from .companies import company_register
from .mandates import (
    agent_find,
    company_agent_grant,
    mandate_act_record,
    mandate_code_resend,
    mandate_confirm,
    mandate_grant,
    mandate_record_paper,
    mandate_revoke,
)

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
