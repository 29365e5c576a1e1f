import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// An accountant registers an Amazon payout: Invoicing › Amazon › Payouts › the payout › Register.
registry.category("web_tour.tours").add("amazon_payout_register", {
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
            content: "Open the imported payout",
            trigger: ".o_data_row td[name='settlement_ref']:contains('TOUR-SETTLEMENT')",
            run: "click",
        },
        {
            content: "The payout is imported, not registered yet",
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
            content: "It balances: no mismatch left, the entry is there",
            trigger: ".o_notebook_headers a:contains('Entries')",
            run: "click",
        },
        {
            content: "The payout's entry is listed",
            trigger: ".o_field_widget[name='move_ids'] .o_data_row",
        },
    ],
});
