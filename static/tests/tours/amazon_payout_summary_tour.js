import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// An accountant registers a summary-mode payout whose settlement runs from 25 October to
// 8 November: Invoicing › Amazon › Payouts › the payout › Register; the orders are invoiced
// by the summary invoice(s) to "Amazon customers", listed with the payout's entries (the
// test checks them).
registry.category("web_tour.tours").add("amazon_payout_summary", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Invoicing",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open the Amazon menu",
            trigger: ".o_main_navbar button:contains('Amazon'), .o_main_navbar a:contains('Amazon')",
            run: "click",
        },
        {
            content: "Open Payouts",
            trigger: ".dropdown-item:contains('Payouts')",
            run: "click",
        },
        {
            content: "Open the payout of the orders invoiced by summary",
            trigger: ".o_data_row td[name='settlement_ref']:contains('TOUR-SUMMARY')",
            run: "click",
        },
        {
            content: "Nothing to decide: the orders without an invoice are invoiced by the summary",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Imported')",
        },
        {
            content: "Register it",
            trigger: ".o_statusbar_buttons button[name='action_register']",
            run: "click",
        },
        {
            content: "The payout shows registered",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Registered')",
        },
        {
            content: "Open its entries",
            trigger: ".o_notebook_headers a:contains('Entries')",
            run: "click",
        },
        {
            content: "Its entries: the summary invoice, the payout's entry and Amazon's fee bill (at least)",
            trigger: ".o_field_widget[name='move_ids'] .o_data_row:nth-child(3)",
        },
    ],
});
