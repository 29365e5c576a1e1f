"""The screens, messages and mails in German, French, Spanish and Italian."""

import importlib.util
import re
from pathlib import Path

import polib

from odoo.tests import tagged
from odoo.tools.translate import TranslationModuleReader

from ..emulator.scenarios import make_item, make_order
from .test_order_import import ImportCase

ADDON = Path(__file__).resolve().parent.parent
I18N = ADDON / "i18n"
LANGUAGES = {"de": "de_DE", "fr": "fr_FR", "es": "es_ES", "it": "it_IT"}
# what a translation must keep exactly: Python placeholders, inline-template expressions,
# QWeb directives and view attributes, and the markup's tags
PLACEHOLDERS = re.compile(r"%\([a-z_]+\)s|%s|%d|\{\{.*?\}\}")
ATTRIBUTES = re.compile(r'\s((?:t-[a-z-]+|invisible|class|name)="[^"]*")')
TAGS = re.compile(r"</?([a-zA-Z]+)")
# Terms a language writes as English does. OCA's PO format (tools/oca-checks) leaves their
# msgstr empty, and Odoo shows such a term as it is: empty is their translation.
SAME_IN_EVERY_LANGUAGE = {
    "%(date)s: %(moves)s",
    "%(order)s (Amazon %(ref)s)",
    "111-1234567-1234567",
    "Amazon",
    "Amazon %(ref)s",
    "Amazon Business",
    "Amazon Lending",
    "Business",
    "ID",
    "LWA Client ID",
    "LWA Client Secret",
    "OK",
    "Odoo",
    "Premium",
    "Prime",
    "SKU",
    "Seller ID",
    "amount-total: %(reason)s",
    "amzn1.sp.solution....",
    "https://api.amazon.com/auth/o2/token",
    "https://sellingpartnerapi-na.amazon.com",
}
SAME_AS_ENGLISH = {
    "de": {"Amazon FBA", "Bank", "Feeds", "Journal", "Name", "Quants", "Refresh Token", "Region", "Standard", "Status"},
    "fr": {
        "Contact",
        "Date",
        "Description",
        "Document",
        "Europe",
        "Journal",
        "Marketplace",
        "Marketplaces",
        "Messages",
        "Note",
        "Promotions",
        "Quants",
        "Standard",
        "Stock",
        "Total",
        "Type",
        "pages",
    },
    "es": {"Amazon FBA", "Error", "Feeds", "Marketplace", "Marketplaces", "Quants", "Total"},
    "it": {
        "Account",
        "Amazon FBA",
        "Amazon Multi-Channel Fulfillment",
        "Marketplace",
        "Multi-Channel Fulfillment",
        "Report",
        "Standard",
    },
}
CONNECT = {
    "de_DE": "Mit Amazon verbinden",
    "fr_FR": "Se connecter à Amazon",
    "es_ES": "Conectar con Amazon",
    "it_IT": "Collega ad Amazon",
}


def template():
    return polib.pofile(str(I18N / "amazon_sp_connector.pot"))


@tagged("post_install", "-at_install")
class TestTranslationFiles(ImportCase):
    def test_the_template_holds_every_term_of_the_module(self):
        reader = TranslationModuleReader(self.env.cr, modules=["amazon_sp_connector"])
        terms = {source for module, _type, _name, _res, source, _value, _comments in reader}
        exported = {entry.msgid for entry in template()}
        self.assertFalse(terms - exported, "terms missing from i18n/amazon_sp_connector.pot: export it again (README)")
        self.assertFalse(exported - terms, "the template has terms the code no longer has: export it again (README)")

    def test_every_language_translates_every_term_and_keeps_placeholders_and_markup(self):
        entries = template()
        for code in LANGUAGES:
            translated = {entry.msgid: entry.msgstr for entry in polib.pofile(str(I18N / f"{code}.po"))}
            same = SAME_IN_EVERY_LANGUAGE | SAME_AS_ENGLISH[code]
            for entry in entries:
                with self.subTest(language=code, term=entry.msgid[:60]):
                    text = translated.get(entry.msgid)
                    if text == "" and entry.msgid in same:
                        text = entry.msgid
                    self.assertTrue(text, "not translated")
                    for pattern in (PLACEHOLDERS, ATTRIBUTES, TAGS):
                        self.assertEqual(sorted(pattern.findall(text)), sorted(pattern.findall(entry.msgid)))


@tagged("post_install", "-at_install")
class TestInTheUsersLanguage(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in CONNECT:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["amazon_sp_connector"], list(CONNECT), overwrite=True)

    def test_the_account_form_speaks_each_language(self):
        for lang, connect in CONNECT.items():
            with self.subTest(lang=lang):
                views = self.env["amazon.account"].with_context(lang=lang).get_views([(False, "form")])
                self.assertIn(f'string="{connect}"', views["views"]["form"]["arch"])
        fields = self.env["amazon.account"].with_context(lang="de_DE").fields_get(["last_orders_sync"])
        self.assertEqual(fields["last_orders_sync"]["string"], "Letzte Bestellsynchronisierung")

    def test_run_summaries_and_failure_mails_speak_the_language_of_their_reader(self):
        self.put(make_order(items=[make_item("MUG-BLUE")]))
        self.time_passes()
        self.env["amazon.order.sync"].with_context(lang="fr_FR")._run_now(self.account)
        self.assertEqual(self.status("orders").summary, "1 créée(s), 1 pages")

        self.account.user_id.lang = "de_DE"
        self.emulator.inject("searchOrders", "unavailable", times=50)
        mails_before = self.env["mail.mail"].search([])
        self.time_passes()
        self.run_flow("orders", budget=5)  # run in English, read by a German salesperson
        mail = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(mail.subject, "Amazon (Amazon US): Synchronisierung Bestellungen schlägt fehl")
        self.assertIn("wurde angehalten", mail.body_html)
        self.assertIn("<strong>Amazon US</strong>", mail.body_html)

    def test_the_salespersons_activity_speaks_their_language_whoever_runs_the_sync(self):
        self.account.user_id.lang = "it_IT"
        self.put(make_order(items=[make_item("SKU-NOBODY-MAPPED")]))
        self.time_passes()
        self.run_flow("orders")  # run in English
        activity = self.account.activity_ids
        self.assertEqual(activity.summary, "SKU Amazon venduti senza prodotto")
        self.assertIn("associa le loro offerte", activity.note)

    def test_upgrading_gives_the_failure_mails_the_salespersons_language_unless_an_admin_chose_one(self):
        spec = importlib.util.spec_from_file_location(
            "amazon_migration_1_2", ADDON / "migrations" / "19.0.1.2.0" / "post-migrate.py"
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        templates = self.env["mail.template"].browse(
            [self.env.ref(f"amazon_sp_connector.{name}").id for name in migration.TEMPLATES]
        )
        self.assertEqual(len(templates), 6)
        templates.lang = False  # as 19.0.1.1.0 installed them
        chosen = self.env.ref("amazon_sp_connector.mail_template_sync_error")
        chosen.lang = "fr_FR"
        migration.migrate(self.env.cr, "19.0.1.1.0")
        self.assertEqual(set((templates - chosen).mapped("lang")), {"{{ object.user_id.lang }}"})
        self.assertEqual(chosen.lang, "fr_FR")
