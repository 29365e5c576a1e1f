import { registry } from "@web/core/registry";

// Warehouse staff open the Amazon deliveries that must ship today, see Amazon's deadline and
// the order's badges, and validate one: refused without carrier and tracking (the message says
// what to fill in), then validated with them. The test opens the Amazon deliveries list.
registry.category("web_tour.tours").add("amazon_warehouse_validate", {
    steps: () => [
        {
            content: "Open the filters",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Amazon: ship today",
            trigger: ".o_filter_menu .o_menu_item:contains('Amazon: ship today')",
            run: "click",
        },
        {
            content: "Today's delivery is listed with its service level, Prime badge and deadline",
            trigger:
                ".o_data_row:contains('Ada Lovelace'):has(td[name='amazon_service_level']:contains('Expedited'))" +
                ":has(td[name='amazon_programs']:contains('Prime')):has(td[name='date_deadline']:not(:empty))",
        },
        {
            content: "The delivery due tomorrow is not",
            trigger: ".o_list_renderer:not(:has(.o_data_row:contains('Charles Babbage')))",
        },
        {
            content: "Open today's delivery",
            trigger: ".o_data_row:contains('Ada Lovelace') td[name='name']",
            run: "click",
        },
        {
            content: "The form says it is an Amazon Prime order, Expedited, to ship today",
            trigger:
                ".o_form_view:has(.o_amazon_order_ref:contains('Amazon')):has(.o_amazon_prime:contains('Prime'))" +
                ":has(.o_amazon_service_level:contains('Expedited')):has(.o_amazon_ship_status:contains('Ships today'))",
        },
        {
            content: "with Amazon's deadline",
            trigger: ".o_field_widget[name='date_deadline']:not(:empty)",
        },
        {
            content: "and a way to Seller Central",
            trigger: ".o_statusbar_buttons button[name='action_view_in_seller_central']",
        },
        {
            content: "The delivery is ready",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Ready')",
        },
        {
            content: "Validate without carrier and tracking",
            trigger: ".o_statusbar_buttons button[name='button_validate']:not(:disabled)",
            run: "click",
        },
        {
            content: "Refused: Amazon needs a carrier and a tracking reference",
            trigger: ".modal:contains('Amazon requires a carrier and a tracking reference')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Open Additional Info",
            trigger: ".o_notebook_headers a[name='extra']",
            run: "click",
        },
        {
            content: "Choose the carrier",
            trigger: ".o_field_widget[name='carrier_id'] input",
            run: "edit UPS",
        },
        {
            content: "UPS",
            trigger: ".o-autocomplete--dropdown-item:contains('UPS')",
            run: "click",
        },
        {
            content: "Type the tracking reference",
            trigger: ".o_field_widget[name='carrier_tracking_ref'] input",
            run: "edit 1Z999AA10123456784",
        },
        {
            content: "Validate",
            trigger: ".o_statusbar_buttons button[name='button_validate']:not(:disabled)",
            run: "click",
        },
        {
            content: "Done, and scheduled for Amazon",
            trigger: ".o_field_widget[name='amazon_sync_state']:contains('Scheduled for Amazon synchronization')",
        },
        {
            content: "Done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
    ],
});

// After the shipments sync: the delivery says Amazon has it.
registry.category("web_tour.tours").add("amazon_warehouse_synchronized", {
    steps: () => [
        {
            content: "Synchronized with Amazon",
            trigger: ".o_field_widget[name='amazon_sync_state']:contains('Synchronized with Amazon')",
        },
    ],
});
