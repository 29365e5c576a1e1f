from . import sale_report
from . import amazon_payout_bank_report
from . import amazon_clearing_report
from . import amazon_oss_report
