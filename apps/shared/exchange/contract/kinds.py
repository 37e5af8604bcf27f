"""Every message kind on the wire, by direction."""

from __future__ import annotations

from enum import StrEnum


class MessageKind(StrEnum):
    # Front → central
    CASE_SUBMITTED = "case.submitted"
    CASE_SUPPLEMENT = "case.supplement"
    CASE_RESYNC = "case.resync"
    CASE_WITHDRAW_REQUESTED = "case.withdraw_requested"
    CASE_DELIVERY_CHOSEN = "case.delivery_chosen"
    CASE_DELIVERED = "case.delivered"
    # 异地代收代办 (issue 16): the receiving hall posted the originals to the handling region's office.
    CASE_ORIGINALS_POSTED = "case.originals_posted"
    # Central → front
    CASE_REVIEW_STARTED = "case.review_started"
    CASE_DECIDED = "case.decided"
    CASE_CORRECTION_REQUESTED = "case.correction_requested"
    CASE_SPECIAL_PROCEDURE = "case.special_procedure"
    CASE_REVIEW_RESUMED = "case.review_resumed"
    CASE_EXTENDED = "case.extended"
    CASE_RESULT_ISSUED = "case.result_issued"
    CASE_WITHDRAWN = "case.withdrawn"
    CASE_WITHDRAW_REFUSED = "case.withdraw_refused"
    # --- Central → front: the ends central reaches on its own (issue 13, central) ---
    CASE_TRANSFERRED = "case.transferred"
    CASE_VOIDED = "case.voided"
    CASE_CLOSED_NO_CORRECTION = "case.closed_no_correction"
    # --- end of issue 13, central ---
    # --- Issue 13, front intake (容缺受理 follow-up), front → central ---
    CASE_COMMITMENT_MADE = "case.commitment_made"
    CASE_DEFERRED_SUPPLIED = "case.deferred_supplied"
    CASE_COMMITMENT_BROKEN = "case.commitment_broken"
    # Central → front: the review suspended for the items owed, and the last day they may come.
    CASE_REVIEW_SUSPENDED = "case.review_suspended"
    # --- Remote virtual window (issue 14; apps/central/remote ↔ apps/front/remote) ---
    # Central → front: how a session ended with an intake outcome, or without one.
    REMOTE_CONCLUDED = "remote.concluded"
    REMOTE_ENDED = "remote.ended"
    # Front → central: the case (and its documents) a concluded session made at the hall.
    REMOTE_CASE_OPENED = "remote.case_opened"
    # --- end of issue 14, remote ---
    # --- Shared licences (issue 16; apps/central/licences → every platform given the licence) ---
    LICENCE_REVOKED = "licence.revoked"
