"""Result delivery (结果送达) and the public status lookup (DOMAIN.md §5, §7, §8), by purpose: the lifecycle's
locked read and guarded move, the result arriving and the handover that completes it, electronic download
(handover.py); the citizen's choice of method (choosing.py); post: the courier's dispatch and its pushes
(posting.py); the originals of a case received for another region, posted to its office (originals.py); pickup at
the window with its 送达回执 (pickup.py); the lookup by number and query password
(tracking.py). Other apps import from here.

Lock order, everywhere: the case row, then its delivery row.
"""

from .choosing import delivery_choice_check, delivery_choose, delivery_choose_at_window
from .handover import delivery_downloaded, delivery_result_arrived
from .originals import originals_dispatch, originals_dispatch_due, originals_shipment_open
from .pickup import delivery_pickup
from .posting import deliveries_dispatch_due, delivery_courier_push, delivery_courier_update, delivery_dispatch
from .tracking import CASE_NUMBER_RE, LookupLocked, case_lookup

__all__ = [
    "CASE_NUMBER_RE",
    "LookupLocked",
    "case_lookup",
    "deliveries_dispatch_due",
    "delivery_choice_check",
    "delivery_choose",
    "delivery_choose_at_window",
    "delivery_courier_push",
    "delivery_courier_update",
    "delivery_dispatch",
    "delivery_downloaded",
    "delivery_pickup",
    "delivery_result_arrived",
    "originals_dispatch",
    "originals_dispatch_due",
    "originals_shipment_open",
]
