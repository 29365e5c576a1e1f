import { registry } from "@web/core/registry";

// A sales admin acts on the account's flows from their rows: runs the orders flow from its
// row, then opens the deliveries the shipments flow still has to tell Amazon about. The
// payouts row is the accountants': no Run now for a sales admin.
const row = (flow) => `.o_field_widget[name='status_ids'] .o_data_row:has(td[name='flow']:contains('${flow}'))`;

registry.category("web_tour.tours").add("amazon_flow_rows", {
    steps: () => [
        {
            content: "Open the account",
            trigger: ".o_data_row td[name='name']:contains('Amazon US')",
            run: "click",
        },
        {
            content: "The flows' header buttons are gone: they are the rows'",
            trigger: ".o_form_statusbar:not(:has(button[name='action_sync_orders']))",
        },
        {
            content: "The payouts row has no Run now for a sales admin",
            trigger: `${row("Payouts")}:not(:has(button[name='action_run_now']))`,
        },
        {
            content: "The shipments row counts the delivery waiting for Amazon",
            trigger: `${row("Shipments")} td[name='records']:contains('Deliveries waiting: 1')`,
        },
        {
            content: "Run the orders flow from its row",
            trigger: `${row("Orders")} button[name='action_run_now']`,
            run: "click",
        },
        {
            content: "The new order is in",
            trigger: ".o_notification:contains('1 created')",
        },
        {
            content: "The row says how the run went",
            trigger: `${row("Orders")} td[name='summary']:contains('1 created')`,
        },
        {
            content: "Open the shipments flow's records",
            trigger: `${row("Shipments")} button[name='action_show_records']`,
            run: "click",
        },
        {
            content: "The delivery waiting for Amazon",
            trigger: ".o_list_view .o_data_row:contains('WH/OUT/')",
        },
    ],
});
