import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// An accountant registers a payout with a refund and an order that has no invoice yet:
// Invoicing › Amazon › Payouts › the payout › Mismatches › decide › Register.
registry.category("web_tour.tours").add("amazon_payout_decide", {
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
            content: "Open the payout that does not settle by itself",
            trigger: ".o_data_row td[name='settlement_ref']:contains('TOUR-DECIDE')",
            run: "click",
        },
        {
            content: "It shows a mismatch",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Mismatch')",
        },
        {
            content: "Registering before deciding is refused, saying what to decide",
            trigger: ".o_statusbar_buttons button[name='action_register']",
            run: "click",
        },
        {
            content: "The refusal names the order to decide",
            trigger: ".modal .modal-body:contains('to decide')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Open the Mismatches tab",
            trigger: ".o_notebook_headers a:contains('Mismatches')",
            run: "click",
        },
        {
            content: "The order without an invoice is listed",
            trigger: ".o_field_widget[name='mismatch_ids'] .o_data_row td[name='kind']:contains('No posted invoice')",
            run: "click",
        },
        {
            content: "Open the decisions",
            trigger:
                ".o_field_widget[name='mismatch_ids'] .o_data_row .o_field_widget[name='decision'] input, " +
                ".o_field_widget[name='mismatch_ids'] .o_data_row .o_field_widget[name='decision'] .o_select_menu_toggler",
            run: "click",
        },
        {
            content: "Decide: leave it open on the customer until the order is invoiced",
            trigger: ".o_select_menu_menu .o_select_menu_item:contains('Leave open')",
            run: "click",
        },
        {
            content: "Save the decision",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Register it",
            trigger: ".o_form_saved .o_statusbar_buttons button[name='action_register']",
            run: "click",
        },
        {
            content: "The payout shows registered",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Registered')",
        },
        {
            content: "Its entries are there: the payout's and Amazon's fee bill",
            trigger: ".o_notebook_headers a:contains('Entries')",
            run: "click",
        },
        {
            content: "The entries are listed",
            trigger: ".o_field_widget[name='move_ids'] .o_data_row",
        },
    ],
});
