from . import amazon_cancel_order
from . import amazon_recover_order
from . import amazon_payout_decide
from . import amazon_mcf_preview
