from . import test_account
from . import test_cancellations
from . import test_emulator
from . import test_order_import
from . import test_shipments
from . import test_spapi_session
from . import test_sync_engine
from . import test_server
