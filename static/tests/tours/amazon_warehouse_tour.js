import { registry } from "@web/core/registry";

// Warehouse staff validate an Amazon FBM delivery: refused without carrier and tracking (the
// message says what to fill in), then validated with them. The test opens the delivery.
registry.category("web_tour.tours").add("amazon_warehouse_validate", {
    steps: () => [
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
