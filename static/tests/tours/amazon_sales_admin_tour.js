import { registry } from "@web/core/registry";

// A sales admin connects a new Amazon account and imports its orders: create the account,
// Connect with Amazon (Seller Central's consent, here the emulator's), give a marketplace its
// own team, Sync Orders, open an imported order.
registry.category("web_tour.tours").add("amazon_sales_admin", {
    steps: () => [
        {
            content: "New account",
            trigger: ".o_list_button_add, .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit My Amazon US store",
        },
        {
            content: "Home marketplace",
            trigger: ".o_field_widget[name='base_marketplace_id'] input",
            run: "edit Amazon.com",
        },
        {
            content: "Amazon.com",
            trigger: ".o-autocomplete--dropdown-item a:text(Amazon.com)",
            run: "click",
        },
        {
            content: "Not connected yet",
            trigger: ".alert-info:contains('Not connected to Amazon yet')",
        },
        {
            content: "Connect with Amazon",
            trigger: ".o_form_statusbar button[name='action_connect']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back from Seller Central: connected",
            trigger: ".o_form_statusbar button[name='action_disconnect']",
            timeout: 20000,
        },
        {
            content: "The seller id Amazon gave",
            trigger: ".o_field_widget[name='seller_id']:contains('A1EMULATORSELLER'), .o_field_widget[name='seller_id'] input:value(A1EMULATORSELLER)",
        },
        {
            content: "Open the marketplaces",
            trigger: ".o_notebook_headers a[name='marketplaces']",
            run: "click",
        },
        {
            content: "Amazon.com's row",
            trigger: ".o_field_widget[name='marketplace_setting_ids'] .o_data_row td[name='team_id']",
            run: "click",
        },
        {
            content: "Its own team",
            trigger: ".o_field_widget[name='marketplace_setting_ids'] .o_data_row [name='team_id'] input",
            run: "edit Amazon US Team",
        },
        {
            content: "Amazon US Team",
            trigger: ".o-autocomplete--dropdown-item a:contains('Amazon US Team')",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
        {
            content: "Sync Orders: Run now on the Orders row",
            trigger:
                ".o_field_widget[name='status_ids'] .o_data_row:has(td[name='flow']:contains('Orders')) button[name='action_run_now']",
            run: "click",
        },
        {
            content: "The orders are in",
            trigger: ".o_notification:contains('1 created')",
        },
        {
            content: "Open the account's orders",
            trigger: "button[name='action_view_orders']",
            run: "click",
        },
        {
            content: "Open the imported order",
            trigger: ".o_data_row td[name='amazon_order_ref']:contains('-')",
            run: "click",
        },
        {
            content: "It is an Amazon FBM order of the marketplace's team",
            trigger: ".o_amazon_order_ref:contains('Amazon')",
        },
        {
            content: "FBM badge",
            trigger: "div[name='amazon_badges'] .badge:contains('FBM')",
        },
    ],
});
