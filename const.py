"""Every Amazon literal the connector relies on, in one place.

Sources: Amazon's SP-API documentation (endpoints, marketplace ids, usage plans)
and the official OpenAPI models in ``shared/spapi-models``.
"""

# ---------------------------------------------------------------------------
# Hosts
# ---------------------------------------------------------------------------
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
# Website authorization workflow: Seller Central's consent page (on the marketplace's Seller
# Central host), our callback, how long a consent may take, and the integrator's application
# (system parameters, set in Settings by an administrator).
CONSENT_PATH = "/apps/authorize/consent"
OAUTH_CALLBACK_PATH = "/amazon_sp_connector/oauth/callback"
OAUTH_STATE_TTL = 600
PARAM_APPLICATION_ID = "amazon_sp_connector.application_id"
PARAM_LWA_CLIENT_ID = "amazon_sp_connector.lwa_client_id"
PARAM_LWA_CLIENT_SECRET = "amazon_sp_connector.lwa_client_secret"
# a draft (not yet published) application is authorized with version=beta on the consent page
PARAM_APPLICATION_DRAFT = "amazon_sp_connector.application_draft"
CONSENT_DRAFT_VERSION = "beta"

SP_API_ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}

REGIONS = [
    ("na", "North America"),
    ("eu", "Europe"),
    ("fe", "Far East"),
]

# ---------------------------------------------------------------------------
# Marketplaces: (api_ref, name, region, country code, currency code,
#                prices include tax, Seller Central URL)
# "prices include tax" is True where Amazon's item prices are shown and
# reported tax-included (VAT/GST/consumption tax); False where tax is added on
# top of the price at checkout (US, Canada).
# ---------------------------------------------------------------------------
MARKETPLACES = [
    # North America
    ("A2EUQ1WTGCTBG2", "Amazon.ca", "na", "CA", "CAD", False, "https://sellercentral.amazon.ca"),
    ("ATVPDKIKX0DER", "Amazon.com", "na", "US", "USD", False, "https://sellercentral.amazon.com"),
    ("A1AM78C64UM0Y8", "Amazon.com.mx", "na", "MX", "MXN", True, "https://sellercentral.amazon.com.mx"),
    ("A2Q3Y263D00KWC", "Amazon.com.br", "na", "BR", "BRL", True, "https://sellercentral.amazon.com.br"),
    # Europe (and the Middle East, Africa and India, served by the EU endpoint)
    ("A28R8C7NBKEWEA", "Amazon.ie", "eu", "IE", "EUR", True, "https://sellercentral.amazon.ie"),
    ("A1RKKUPIHCS9HS", "Amazon.es", "eu", "ES", "EUR", True, "https://sellercentral.amazon.es"),
    ("A1F83G8C2ARO7P", "Amazon.co.uk", "eu", "GB", "GBP", True, "https://sellercentral.amazon.co.uk"),
    ("A13V1IB3VIYZZH", "Amazon.fr", "eu", "FR", "EUR", True, "https://sellercentral.amazon.fr"),
    ("AMEN7PMS3EDWL", "Amazon.com.be", "eu", "BE", "EUR", True, "https://sellercentral.amazon.com.be"),
    ("A1805IZSGTT6HS", "Amazon.nl", "eu", "NL", "EUR", True, "https://sellercentral.amazon.nl"),
    ("A1PA6795UKMFR9", "Amazon.de", "eu", "DE", "EUR", True, "https://sellercentral.amazon.de"),
    ("APJ6JRA9NG5V4", "Amazon.it", "eu", "IT", "EUR", True, "https://sellercentral.amazon.it"),
    ("A2NODRKZP88ZB9", "Amazon.se", "eu", "SE", "SEK", True, "https://sellercentral.amazon.se"),
    ("AE08WJ6YKNBMC", "Amazon.co.za", "eu", "ZA", "ZAR", True, "https://sellercentral.amazon.co.za"),
    ("A1C3SOZRARQ6R3", "Amazon.pl", "eu", "PL", "PLN", True, "https://sellercentral.amazon.pl"),
    ("ARBP9OOSHTCHU", "Amazon.eg", "eu", "EG", "EGP", True, "https://sellercentral.amazon.eg"),
    ("A33AVAJ2PDY3EV", "Amazon.com.tr", "eu", "TR", "TRY", True, "https://sellercentral.amazon.com.tr"),
    ("A17E79C6D8DWNP", "Amazon.sa", "eu", "SA", "SAR", True, "https://sellercentral.amazon.sa"),
    ("A2VIGQ35RCS4UG", "Amazon.ae", "eu", "AE", "AED", True, "https://sellercentral.amazon.ae"),
    ("A21TJRUUN4KGV", "Amazon.in", "eu", "IN", "INR", True, "https://sellercentral.amazon.in"),
    # Far East
    ("A19VAU5U5O7RUS", "Amazon.sg", "fe", "SG", "SGD", True, "https://sellercentral.amazon.sg"),
    ("A39IBJ37TRP1C6", "Amazon.com.au", "fe", "AU", "AUD", True, "https://sellercentral.amazon.com.au"),
    ("A1VC38T7YXB528", "Amazon.co.jp", "fe", "JP", "JPY", True, "https://sellercentral.amazon.co.jp"),
]
# Seller Central of each marketplace: the host of the consent page (Connect with Amazon) and
# of the "View in Seller Central" links. Only from here, never from data users can edit.
SELLER_CENTRAL_URLS = {entry[0]: entry[6] for entry in MARKETPLACES}

# ---------------------------------------------------------------------------
# Usage plans: operation -> (rate in requests per second, burst).
# Documented defaults; the real plan of a selling partner arrives in the
# x-amzn-RateLimit-Limit response header and corrects the rate.
# ---------------------------------------------------------------------------
RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"
REQUEST_ID_HEADER = "x-amzn-RequestId"

USAGE_PLANS = {
    "lwa_token": (1.0, 10),  # not an SP-API operation; keeps retries polite
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "createFeedDocument": (0.5, 15),
    "uploadFeedDocument": (10.0, 10),  # presigned S3 URL, no SP-API plan
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeedDocument": (0.0222, 10),
    "downloadFeedDocument": (10.0, 10),  # presigned S3 URL, no SP-API plan
    "getMarketplaceParticipations": (0.016, 15),
    "listTransactions": (0.5, 10),
    "getReports": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    "downloadReportDocument": (10.0, 10),  # presigned S3 URL, no SP-API plan
    # Fulfillment Outbound API 2020-07-01 (Multi-Channel Fulfillment): 2 requests per second, burst 30
    "getFulfillmentPreview": (2.0, 30),
    "createFulfillmentOrder": (2.0, 30),
    "getFulfillmentOrder": (2.0, 30),
    "listAllFulfillmentOrders": (2.0, 30),
    "getPackageTrackingDetails": (2.0, 30),
    "cancelFulfillmentOrder": (2.0, 30),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getInventorySummaries": (2.0, 2),
}

# ---------------------------------------------------------------------------
# Orders API v2026-01-01
# ---------------------------------------------------------------------------
ORDERS_API_VERSION = "2026-01-01"
SEARCH_ORDERS_PAGE_SIZE = 100
# lastUpdatedBefore / createdBefore must be at least two minutes in the past.
MIN_BEFORE_DELAY_SECONDS = 120
# Everything the import needs comes inline, so no per-order call is made.
INCLUDED_PACKAGES = "PACKAGES"
ORDER_INCLUDED_DATA = [
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
]

FULFILLED_BY_AMAZON = "AMAZON"
FULFILLED_BY_MERCHANT = "MERCHANT"
FULFILLED_BY_TO_CHANNEL = {FULFILLED_BY_AMAZON: "fba", FULFILLED_BY_MERCHANT: "fbm"}

STATUS_PENDING = "PENDING"
STATUS_UNSHIPPED = "UNSHIPPED"
STATUS_PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
STATUS_SHIPPED = "SHIPPED"
STATUS_CANCELLED = "CANCELLED"

# Every fulfillment status of Amazon's model (FulfillmentStatus); others are malformed orders.
FULFILLMENT_STATUSES = (
    "PENDING_AVAILABILITY",
    STATUS_PENDING,
    STATUS_UNSHIPPED,
    STATUS_PARTIALLY_SHIPPED,
    STATUS_SHIPPED,
    STATUS_CANCELLED,
    "UNFULFILLABLE",
)

# What the import asks searchOrders for, and which (channel, status) create an order.
IMPORTED_STATUSES = [STATUS_UNSHIPPED, STATUS_PARTIALLY_SHIPPED, STATUS_SHIPPED, STATUS_CANCELLED]
CREATING_STATUSES = {
    "fba": (STATUS_SHIPPED,),
    "fbm": (STATUS_UNSHIPPED, STATUS_PARTIALLY_SHIPPED),
}
# pg_try_advisory_lock(namespace, account id): one order sync per account at a time.
SYNC_LOCK_NAMESPACE = 0x414D5A  # "AMZ"

# Orders v2026-01-01 associatedOrders[].associationType: the order replaces or exchanges another
ASSOCIATION_TYPES = {"REPLACEMENT_ORIGINAL_ID": "replacement", "EXCHANGE_ORIGINAL_ID": "exchange"}

# Amazon order reference: 3-7-7 digits.
ORDER_REF_PATTERN = r"^\d{3}-\d{7}-\d{7}$"
# Longest orderId the import accepts (Amazon's are 19 characters; sandbox ones differ).
MAX_ORDER_REF_LENGTH = 64

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------
# HTTP statuses worth retrying (with backoff), besides network failures.
RETRYABLE_STATUSES = {429, 500, 502, 503, 504}
THROTTLED_STATUS = 429
# Code of the AmazonThrottledError raised when waiting would cross a run's deadline.
TIME_BUDGET_EXHAUSTED = "TimeBudgetExhausted"
# Login with Amazon error codes that mean the credentials themselves are refused.
LWA_AUTH_ERRORS = ("invalid_grant", "invalid_client", "unauthorized_client", "invalid_request")

# ---------------------------------------------------------------------------
# Shipments (Orders API v0 confirmShipment): Amazon's carrier codes.
# ---------------------------------------------------------------------------
CARRIER_CODE_OTHER = "Other"
# Amazon's carrier codes (the CarrierCode enumeration of Amazon's feed schema amzn-base.xsd,
# which confirmShipment's carrierCode takes too), plus "EasyShip" (Amazon India's Easy Ship).
# Loaded into amazon.carrier at install and update: a carrier picks its code from them.
CARRIER_CODES = [
    "UPS",
    "UPSMI",
    "FedEx",
    "DHL",
    "Fastway",
    "GLS",
    "GO!",
    "Hermes Logistik Gruppe",
    "Royal Mail",
    "Parcelforce",
    "City Link",
    "TNT",
    "Target",
    "SagawaExpress",
    "NipponExpress",
    "YamatoTransport",
    "DHL Global Mail",
    "UPS Mail Innovations",
    "FedEx SmartPost",
    "OSM",
    "OnTrac",
    "Streamlite",
    "Newgistics",
    "Canada Post",
    "Blue Package",
    "Chronopost",
    "Deutsche Post",
    "DPD",
    "La Poste",
    "Parcelnet",
    "Poste Italiane",
    "SDA",
    "Smartmail",
    "FEDEX_JP",
    "JP_EXPRESS",
    "NITTSU",
    "SAGAWA",
    "YAMATO",
    "BlueDart",
    "AFL/Fedex",
    "Aramex",
    "India Post",
    "Professional",
    "DTDC",
    "Overnite Express",
    "First Flight",
    "Delhivery",
    "Lasership",
    "Yodel",
    "Amazon Shipping",
    "Seur",
    "Correos",
    "MRW",
    "Endopack",
    "Chrono Express",
    "Nacex",
    "Otro",
    "Correios",
    "Toll Global Express",
    "China Post",
    "AUSSIE_POST",
    "EUB",
    "Australia Post",
    "Yun Express",
    "4PX",
    "Hermes",
    "SF Express",
    "BRT",
    "Australia Post-Consignment",
    "Australia Post-ArticleId",
    "Sendle",
    "CouriersPlease",
    "A-1",
    "AAA Cooper",
    "ABF",
    "ALLJOY",
    "Aras Kargo",
    "Arkas",
    "Arrow XL",
    "Asendia",
    "Asgard",
    "Assett",
    "AT POST",
    "ATS",
    "Balnak",
    "Beijing Quanfeng Express",
    "Best Buy",
    "Best Express",
    "BJS",
    "Bombax",
    "Cart2India",
    "CDC",
    "CELERITAS",
    "CEVA",
    "Ceva Lojistik",
    "Cititrans",
    "Coliposte",
    "Colissimo",
    "Conway",
    "Correos Express",
    "Couriers Please",
    "CTTExpress",
    "DB Schenker",
    "DHL eCommerce",
    "DHL Express",
    "DHL Freight",
    "DHL Home Delivery",
    "DHL Kargo",
    "DHL-Paket",
    "DHLPL",
    "Digital Delivery",
    "DirectLog",
    "Dotzot",
    "DSV",
    "DX Freight",
    "ECMS",
    "Ecom Express",
    "Emirates Post",
    "Energo",
    "Envialia",
    "Estafeta",
    "Estes",
    "Fedex Freight",
    "Fillo Kargo",
    "First Flight China",
    "First Mile",
    "Gati",
    "GEL Express",
    "geodis",
    "Geodis Calberson",
    "Geopost Kargo",
    "Hermes Einrichtungsservice",
    "Home Logistics",
    "Hongkong Post",
    "Horoz Lojistik",
    "HS code",
    "Hunter Logistics",
    "ICC Worldwide",
    "IDS Netzwerk",
    "InPost",
    "iParcel",
    "Japan Post",
    "JCEX",
    "Kargokar",
    "Kuehne+Nagel",
    "Landmark",
    "Metro Kargo",
    "MNG Kargo",
    "Narpost Kargo",
    "Nexive",
    "Ninjavan",
    "Old Dominion",
    "OneWorldExpress",
    "Panther",
    "Pilot",
    "Pilot Freight",
    "Polish Post",
    "Post NL",
    "PostNord",
    "PTT Kargo",
    "PUROLATOR",
    "QExpress",
    "Qxpress",
    "R+L",
    "Raben Group",
    "Rhenus",
    "Rieck",
    "Rivigo",
    "Roadrunner",
    "Safexpress",
    "Saia",
    "Seino",
    "SEINO TRANSPORTATION",
    "Selem Kargo",
    "Self Delivery",
    "SENDLE",
    "SFC",
    "Ship Delight",
    "Ship Global US",
    "ShipEconomy",
    "ShipGlobal",
    "Shree Maruti Courier",
    "Shree Tirupati Courier",
    "Shunfeng Express",
    "Singapore Post",
    "South Eastern Freight Lines",
    "Speedex",
    "Spoton",
    "StarTrack-ArticleID",
    "StarTrack-Consignment",
    "STO Express",
    "Tezel Lojistik",
    "The Professional Couriers",
    "TIPSA",
    "TNT Kargo",
    "TNTIT",
    "Total Express",
    "Trackon",
    "TransFolha",
    "Tuffnells",
    "UPS Freight",
    "Urban Express",
    "VIR",
    "VNLIN",
    "WanbExpress",
    "Watkins and Shepard",
    "Whizzard",
    "WINIT",
    "XDP",
    "XPO Freight",
    "Xpressbees",
    "YDH",
    "Yellow Freight",
    "YTO Express",
    "Yunda Express",
    "ZTO Express",
    "Tourline",
    "Centex",
    "iMile",
    "Chukou1",
    "CNE",
    "Equick",
    "UBI",
    "Sunyou",
    "COLIS PRIVE",
    "Colis Prive",
    "DASCHER",
    "DACHSER",
    "France Express",
    "Heppner",
    "Kuehne Nagel",
    "Arco Spedizioni",
    "FAST EST",
    "FERCAM",
    "Fercam",
    "Liccardi",
    "Milkman",
    "Zust Ambrosetti",
    "Yanwen",
    "ROYAL_MAIL",
    "Whistl",
    "Hermes (Corporate)",
    "AMAUK",
    "The Delivery Group",
    "RMLGB",
    "UKMail",
    "APC",
    "Jersey Post",
    "Caribou",
    "Hermes UK",
    "DPD Local",
    "UK MAIL",
    "APC Overnight",
    "USPS",
    "DX Express",
    "DX Secure",
    "Parcel Station",
    "AMZL_UK",
    "DX",
    "APC-Overnight",
    "B2C Europe",
    "ITD Global",
    "Parcelhub",
    "HubEurope",
    "Huxloe Logistics",
    "GFS",
    "Spring GDS",
    "Verage Shipping",
    "MHI",
    "Truline",
    "Delivery Group",
    "PDC Logistics",
    "PARCEL2GO.COM",
    "DEL Deliveries",
    "Parcelink Logistics",
    "Cubyn",
    "Hotpoint Logistics",
    "AT Post",
    "GEL",
    "IDS",
    "Raben",
    "AO Deutschland",
    "MZZ-Briefdienst",
    "Der Kurier",
    "REDUR",
    "Europaczka",
    "Emons",
    "Seven Senders",
    "Sendcloud",
    "Mail Alliance",
    "Mainpost",
    "PIN",
    "Post Modern",
    "Trans-o-Flex",
    "Exapaq",
    "Trakpak",
    "BPOST",
    "UPakWeShip",
    "Mondial Relay",
    "Swiss post",
    "Consegna Mezzi Propri",
    "DACSHER",
    "GEODIS",
    "XPO",
    "NACEX",
    "Sprint",
    "Susa",
    "Zeleris",
    "TWS",
    "Sailpost",
    "WPX",
    "HRP",
    "Sending",
    "CBL",
    "DYNAMIC EXPRESS",
    "EINSA SOURCING",
    "GRUPO LOGISTIC",
    "KEAVO",
    "NTL",
    "SPRING",
    "Szendex",
    "TDN",
    "Transaragonés",
    "TSB",
    "TXT",
    "TyD",
    "Via Xpress",
    "CTT EXPRESS",
    "FRANCE EXPRESS",
    "Bartolini",
    "AMZL",
    "Andere",
    "AO",
    "B2C",
    "CargoLine",
    "Citypost",
    "Delivengo",
    "DPB",
    "EKI Trans",
    "FRACHTPOST",
    "Hellmann",
    "Hlog",
    "honesteye",
    "Huxloe",
    "Interlink",
    "Interno",
    "Intersoft",
    "JPL UPU",
    "Kybotech",
    "Landmark Global",
    "MBE",
    "Mezzi propri",
    "MZZ Briefdienst",
    "NOVEO",
    "OCS Worldwide",
    "ONTIME",
    "Palletline",
    "Palletways",
    "Parcel Hub",
    "Parcel Monkey",
    "Parcel2go",
    "ParcelDenOnline",
    "ParcelOne",
    "PostNL",
    "RBNA",
    "RR Donnelley",
    "Schweizer Post",
    "Shipmate",
    "Sonstige",
    "Stahlmann and Sachs",
    "Stampit",
    "STG",
    "Transaher",
    "Translink",
    "Transoflex",
    "Upsilon",
    "EasyShip",
    CARRIER_CODE_OTHER,
]
CARRIER_CODES = list(dict.fromkeys(CARRIER_CODES))  # keep order, drop duplicates
# Odoo shipping integrations (delivery.carrier.delivery_type, Odoo's and OCA's connectors):
# the Amazon carrier code of the carrier they ship with. Matched on the whole type, else on
# its first word ("fedex_rest" -> "fedex").
DELIVERY_TYPE_CARRIER_CODES = {
    "fedex": "FedEx",
    "ups": "UPS",
    "usps": "USPS",
    "dhl": "DHL",
    "dhl_parcel": "DHL",
    "bpost": "BPOST",
    "gls": "GLS",
    "gls_asm": "GLS",
    "seur": "Seur",
    "correos": "Correos",
    "correos_express": "Correos Express",
    "cttexpress": "CTTExpress",
    "postlogistics": "Swiss post",
    "schenker": "DB Schenker",
    "dpd": "DPD",
    "tnt": "TNT",
    "colissimo": "Colissimo",
    "laposte": "La Poste",
    "postnl": "PostNL",
    "sendle": "Sendle",
    "canada_post": "Canada Post",
    "australia_post": "Australia Post",
    "purolator": "PUROLATOR",
    "royal_mail": "Royal Mail",
    "parcelforce": "Parcelforce",
    "mondialrelay": "Mondial Relay",
    "nacex": "Nacex",
    "mrw": "MRW",
    "tipsa": "TIPSA",
    "inpost": "InPost",
    "chronopost": "Chronopost",
    "hermes": "Hermes",
}

# ---------------------------------------------------------------------------
# Cancellations: POST_ORDER_ACKNOWLEDGEMENT_DATA feed.
# ---------------------------------------------------------------------------
FEED_ORDER_ACKNOWLEDGEMENT = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
FEED_CONTENT_TYPE = "text/xml; charset=UTF-8"
FEED_DONE = "DONE"
FEED_FATAL = "FATAL"
FEED_CANCELLED = "CANCELLED"
FEED_FINAL_STATUSES = (FEED_DONE, FEED_FATAL, FEED_CANCELLED)
CANCEL_REASONS = [
    ("NoInventory", "No inventory"),
    ("ShippingAddressUndeliverable", "Shipping address undeliverable"),
    ("CustomerExchange", "Customer exchange"),
    ("BuyerCanceled", "Buyer canceled"),
    ("GeneralAdjustment", "General adjustment"),
    ("CarrierCreditDecision", "Carrier credit decision"),
    ("RiskAssessmentInformationNotValid", "Risk assessment information not valid"),
    ("CarrierCoverageFailure", "Carrier coverage failure"),
    ("CustomerReturn", "Customer return"),
    ("MerchandiseNotReceived", "Merchandise not received"),
    ("CannotVerifyInformation", "Cannot verify information"),
    ("PricingError", "Pricing error"),
    ("RejectOrder", "Reject order"),
    ("WeatherDelay", "Weather delay"),
]

# ---------------------------------------------------------------------------
# Stock: JSON_LISTINGS_FEED (Feeds API 2021-06-30), a PATCH of each SKU's
# fulfillment_availability, per Amazon's listings feed schema v2
# (shared/spapi-models/feeds-schemas/listings-feed-schema-v2.json).
# ---------------------------------------------------------------------------
FEED_JSON_LISTINGS = "JSON_LISTINGS_FEED"
FEED_JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
LISTINGS_FEED_VERSION = "2.0"
# Amazon's generic product type, accepted by PATCH messages that only touch offer attributes.
LISTINGS_DEFAULT_PRODUCT_TYPE = "PRODUCT"
LISTINGS_STOCK_ATTRIBUTE = "fulfillment_availability"
LISTINGS_STOCK_PATH = "/attributes/fulfillment_availability"
# fulfillment_channel_code of the quantity the seller ships itself (merchant fulfilled)
LISTINGS_MERCHANT_CHANNEL = "DEFAULT"
# The schema allows 25,000 messages per feed; more changed offers go in the next runs.
LISTINGS_FEED_MAX_MESSAGES = 10000
# Severity of a processing report issue that refuses its message.
LISTINGS_ISSUE_ERROR = "ERROR"
# Amazon processes a feed in minutes: its result is read again after this many seconds.
FEED_POLL_SECONDS = 120
# A feed Amazon has not finished (or whose status Amazon keeps failing to give) this many
# hours after it was sent is given up: its records are sent again (or fail, cancellations).
FEED_GIVE_UP_HOURS = 2
# Feeds keep the document sent and Amazon's report this many days, then drop them.
FEED_DOCUMENT_RETENTION_DAYS = 90
# A stock change triggers the stock push this many seconds later (one trigger at a time).
STOCK_PUSH_DELAY_SECONDS = 120

# ---------------------------------------------------------------------------
# Payouts: settlement reports (Reports API 2021-06-30), tab-separated flat files.
# ---------------------------------------------------------------------------
REPORT_SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
# Amazon keeps reports this many days: a first sync looks that far back.
REPORT_RETENTION_DAYS = 90
REPORTS_PAGE_SIZE = 100
# Amazon starts the transfer on the settlement's deposit date; it reaches the seller's bank
# within 3-5 business days (longer abroad): the bank's deposit line is looked for from a
# couple of days before (the bank's value date) to two weeks after.
PAYOUT_BANK_DAYS_BEFORE = 2
PAYOUT_BANK_DAYS_AFTER = 14
# Amazon's Currency Converter for Sellers converts at its own rate (a margin over the market
# rate of a few percent): a deposit in another currency is looked for within this share of
# the deposit converted at Odoo's rate.
PAYOUT_CONVERSION_TOLERANCE = 0.05
# Banks label Amazon's deposits "AMAZON PAYMENTS EUROPE", "AMAZON.COM SERVICES"...
PAYOUT_BANK_LABEL = "Amazon"

# ---------------------------------------------------------------------------
# Orders: the buyer's promise (Orders API v2026-01-01 ``fulfillment.shipByWindow``,
# ``deliverByWindow``, ``fulfillmentServiceLevel`` and the order's ``programs``).
# ---------------------------------------------------------------------------
# Amazon's service levels (OrderFulfillment.fulfillmentServiceLevel), slowest first.
SERVICE_LEVELS = [
    ("FREE_ECONOMY", "Free Economy"),
    ("STANDARD", "Standard"),
    ("SCHEDULED", "Scheduled"),
    ("EXPEDITED", "Expedited"),
    ("SECOND_DAY", "Second Day"),
    ("PRIORITY", "Priority"),
    ("NEXT_DAY", "Next Day"),
    ("SAME_DAY", "Same Day"),
]
# Order.programs values shown on the delivery.
PROGRAM_PRIME = "PRIME"
PROGRAM_PREMIUM = "PREMIUM"
PROGRAM_BUSINESS = "AMAZON_BUSINESS"
# An unshipped FBM delivery gets an activity this many hours before Amazon's ship-by time
# (the account's default; Amazon counts a shipment confirmed after it as late).
LATE_WARNING_HOURS = 4


# ---------------------------------------------------------------------------
# Fulfillment Outbound API 2020-07-01 (Multi-Channel Fulfillment, MCF)
# ---------------------------------------------------------------------------
MCF_PATH = "/fba/outbound/2020-07-01"
MCF_SPEEDS = [("Standard", "Standard"), ("Expedited", "Expedited"), ("Priority", "Priority")]
MCF_POLICIES = [
    ("FillOrKill", "Fill or kill: ship nothing unless everything can ship"),
    ("FillAll", "Fill all: ship everything, waiting for missing units"),
    ("FillAllAvailable", "Fill all available: ship what is there, the rest is unfulfillable"),
]
MCF_ACTION_SHIP = "Ship"
# featureConstraints names; Amazon offers them in some marketplaces only
MCF_FEATURE_BLANK_BOX = "BLANK_BOX"
MCF_FEATURE_BLOCK_AMZL = "BLOCK_AMZL"
MCF_FEATURE_MARKETPLACES = {"ATVPDKIKX0DER"}  # Amazon.com: blank box and Amazon Logistics blocking
MCF_FEATURE_REQUIRED = "Required"
# FulfillmentOrderStatus
MCF_NEW = "New"
MCF_RECEIVED = "Received"
MCF_PLANNING = "Planning"
MCF_PROCESSING = "Processing"
MCF_CANCELLED = "Cancelled"
MCF_COMPLETE = "Complete"
MCF_COMPLETE_PARTIAL = "CompletePartialled"
MCF_UNFULFILLABLE = "Unfulfillable"
MCF_INVALID = "Invalid"
MCF_FINAL_STATUSES = (MCF_CANCELLED, MCF_COMPLETE, MCF_COMPLETE_PARTIAL, MCF_UNFULFILLABLE, MCF_INVALID)
# Amazon can still cancel a fulfillment order in these statuses (nothing shipped yet)
MCF_CANCELLABLE_STATUSES = (MCF_NEW, MCF_RECEIVED, MCF_PLANNING)
MCF_SHIPMENT_SHIPPED = "SHIPPED"
# listAllFulfillmentOrders: how far back the first run looks, and the overlap of later runs
MCF_FIRST_LOOKBACK_DAYS = 7
MCF_CURSOR_OVERLAP_SECONDS = 300
# createFulfillmentOrder with a sellerFulfillmentOrderId Amazon already has: a 400 InvalidInput
# whose message says so; any of these words in it (lower case) settles a retry as created
MCF_DUPLICATE_MARKERS = ("already exists", "duplicate")
# ---------------------------------------------------------------------------
# Invoices: Odoo's invoice and credit note PDFs uploaded to Amazon (Feeds API
# UPLOAD_VAT_INVOICE, one PDF per feed, its data in feedOptions), EU and UK only.
# Amazon's "Invoicing Feed Type Values" and "(Option 3) Upload invoices through SP-API".
# ---------------------------------------------------------------------------
FEED_VAT_INVOICE = "UPLOAD_VAT_INVOICE"
FEED_PDF_CONTENT_TYPE = "application/pdf"
# The marketplaces whose invoices Amazon takes through UPLOAD_VAT_INVOICE (the VAT program).
VAT_INVOICE_MARKETPLACES = (
    "A28R8C7NBKEWEA",  # Amazon.ie
    "A1RKKUPIHCS9HS",  # Amazon.es
    "A1F83G8C2ARO7P",  # Amazon.co.uk
    "A13V1IB3VIYZZH",  # Amazon.fr
    "AMEN7PMS3EDWL",  # Amazon.com.be
    "A1805IZSGTT6HS",  # Amazon.nl
    "A1PA6795UKMFR9",  # Amazon.de
    "APJ6JRA9NG5V4",  # Amazon.it
    "A2NODRKZP88ZB9",  # Amazon.se
    "A1C3SOZRARQ6R3",  # Amazon.pl
)
VAT_INVOICE_OPTION_ORDER = "metadata:orderid"
VAT_INVOICE_OPTION_NUMBER = "metadata:invoicenumber"
VAT_INVOICE_OPTION_TYPE = "metadata:documenttype"
VAT_INVOICE_OPTION_TOTAL = "metadata:totalamount"
VAT_INVOICE_OPTION_VAT = "metadata:totalvatamount"
VAT_INVOICE_OPTION_TRANSACTION = "metadata:transactionid"
VAT_INVOICE_DOCUMENT_INVOICE = "Invoice"
VAT_INVOICE_DOCUMENT_CREDIT_NOTE = "CreditNote"
# The only characters Amazon accepts in a feed option's value (letters, digits and these).
VAT_INVOICE_OPTION_PATTERN = r"^[A-Za-z0-9,/\\ \-_;:#]+$"
# The VAT invoice data report (VIDR) of sellers on Amazon's VAT Calculation Service: read
# this many hours apart (Amazon: at least twice a day).
REPORT_VAT_INVOICE_DATA = "GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT"
VAT_INVOICE_DATA_READ_HOURS = 12
# ---------------------------------------------------------------------------
# FBA stock: requested reports (Reports API 2021-06-30 createReport / getReport)
# and the FBA Inventory API v1 getInventorySummaries. Column names per Amazon's
# report attribute pages (see README, "FBA stock").
# ---------------------------------------------------------------------------
REPORT_LEDGER_DETAIL = "GET_LEDGER_DETAIL_VIEW_DATA"
REPORT_FBA_RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
REPORT_FBM_RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
REPORT_REMOVAL_SHIPMENTS = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
REPORT_REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
# getReport's processingStatus values
REPORT_DONE = "DONE"
REPORT_CANCELLED = "CANCELLED"  # Amazon had no data for the window
REPORT_FATAL = "FATAL"
# A requested report is read again after this many seconds until Amazon is done.
REPORT_POLL_SECONDS = 60
# A requested report Amazon has not finished after this many hours is asked again.
REPORT_GIVE_UP_HOURS = 6
# Each request goes back this far before the last window's end: Amazon completes its
# near-real-time reports late, so windows overlap and each row is applied once.
REPORT_OVERLAP_DAYS = {
    REPORT_LEDGER_DETAIL: 3,
    REPORT_FBA_RETURNS: 7,
    REPORT_FBM_RETURNS: 7,
    REPORT_REMOVAL_SHIPMENTS: 7,
    REPORT_REIMBURSEMENTS: 7,
}
# The longest window one request may cover (Amazon refuses wider ones for some types).
REPORT_MAX_WINDOW_DAYS = 30
# A first request looks this far back.
REPORT_FIRST_WINDOW_DAYS = 30
# dataEndTime must not be in the future: the window ends this long before now.
REPORT_END_DELAY_SECONDS = 300

# Inventory ledger (GET_LEDGER_DETAIL_VIEW_DATA) event types.
LEDGER_RECEIPTS = "Receipts"
LEDGER_SHIPMENTS = "Shipments"
LEDGER_CUSTOMER_RETURNS = "CustomerReturns"
LEDGER_VENDOR_RETURNS = "VendorReturns"
LEDGER_ADJUSTMENTS = "Adjustments"
LEDGER_WAREHOUSE_TRANSFERS = "WhseTransfers"
# Adjustment reason codes -> what the adjustment is (Amazon's inventory adjustment codes).
LEDGER_REASONS = {
    "M": "lost",  # misplaced / lost in the warehouse
    "5": "lost",  # unrecoverable inventory
    "F": "found",
    "N": "found",  # transferred from holding
    "E": "damaged",  # damaged at the fulfillment center
    "H": "damaged",  # damaged: customer
    "K": "damaged",  # damaged: defective
    "U": "damaged",  # damaged: distributor
    "6": "damaged",  # damaged: inbound carrier
    "7": "damaged",  # damaged: expired
    "D": "disposed",
    "O": "transfer",  # inventory correction between fulfillment centers
    "P": "unsellable",  # sellable -> unsellable
    "Q": "unsellable",  # miscellaneous (unsellable <-> sellable)
}
DISPOSITION_SELLABLE = "SELLABLE"

# Removal orders: removal-order-type values
REMOVAL_RETURN = "Return"
REMOVAL_DISPOSAL = "Disposal"
REMOVAL_LIQUIDATION = "Liquidations"

# Reimbursements and the settlement report. The reimbursement report's ids (reimbursement-id,
# case-id) are not in the settlement flat file; Amazon's help points to the case id (Seller
# Central) or the Amazon order id (customer-return reimbursements) and the settlement row has
# order-id (empty for lost or damaged stock and reversals), sku, amount and, as its
# amount-description, Amazon's reason code. A reimbursement is matched with the settlement row
# of the same SKU, order (or none), amount and currency, posted within the days below of its
# approval; its reason, when the row's description is one of these, must be the row's.
SETTLEMENT_REIMBURSEMENT_TYPES = ("FBA Inventory Reimbursement", "MCF Inventory Reimbursement")
REIMBURSEMENT_DESCRIPTIONS = {
    "Lost_Warehouse": ("WAREHOUSE_LOST", "WAREHOUSE_LOST_MANUAL"),
    "Damaged_Warehouse": ("WAREHOUSE_DAMAGE",),
    "Lost_Inbound": ("MISSING_FROM_INBOUND", "MISSING_FROM_INBOUND_CLAWBACK"),
    "Damaged_Inbound": ("INBOUND_CARRIER_DAMAGE",),
    "CustomerReturn": ("CUSTOMER_RETURN", "REFUND_FOR_RETURN"),
    "CustomerServiceIssue": ("CS_ERROR_ITEMS",),
    "Reimbursement_Reversal": ("REVERSAL_REIMBURSEMENT",),
    "FeeCorrection": ("FEE_CORRECTION",),
    "GeneralAdjustment": ("GENERAL_ADJUSTMENT",),
}
REIMBURSEMENT_PAYOUT_DAYS_BEFORE = 3
REIMBURSEMENT_PAYOUT_DAYS_AFTER = 30

# FBA Inventory API v1
INVENTORY_GRANULARITY = "Marketplace"
