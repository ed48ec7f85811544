"""Write paths of 党费 (dues): every state change of the ledger is one function here, atomic,
checking access itself (dues.manage on the member's branch; dues.approve strictly above it
for reductions), refusing bad input with a Chinese message at the field and writing an audit
entry `dues.<entity>.<verb>`. The amounts come from `dangjian.rules.dues`. See docs/dues.md.

The functions live in topic modules; this module is the public name for all of them:

- bases and charges (`services_charges`): `base_set`, `charges_generate`;
- background runs (`services_runs`): `charge_run_start`, `charge_run_execute`;
- payments (`services_payments`): `payment_record`, `payment_void`;
- reductions (`services_reductions`): `reduction_request`, `reduction_decide`,
  `reduction_end`, `reduction_withdraw`.
"""

from dangjian.dues.services_charges import base_set, charges_generate
from dangjian.dues.services_payments import payment_record, payment_void
from dangjian.dues.services_reductions import (
    reduction_decide,
    reduction_end,
    reduction_request,
    reduction_withdraw,
)
from dangjian.dues.services_runs import active_run, charge_run_execute, charge_run_start

__all__ = [
    "active_run",
    "base_set",
    "charge_run_execute",
    "charge_run_start",
    "charges_generate",
    "payment_record",
    "payment_void",
    "reduction_decide",
    "reduction_end",
    "reduction_request",
    "reduction_withdraw",
]
