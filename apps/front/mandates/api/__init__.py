"""The API of legal persons and the people acting for others (DOMAIN.md §9), by resource: a company registered by
its legal representative, its 经办人 and cases (companies.py); a person's 委托书, confirmed by SMS code, revoked at
any time (mandates.py); what an agent may act on, and the acts (acting.py); the window's check of the person
acting and the paper letter it scans (window.py). What they share — who may call, the input's check, the shapes
of a mandate and a case — is in common.py. Routes: urls_api.py."""
