import { registry } from "@web/core/registry";

// A warehouse user follows the deliveries Amazon ships from the FBA stock (Multi-Channel
// Fulfillment): the list opens on those waiting for Amazon, with Amazon's state; the delivery
// Amazon shipped shows its carrier and tracking number. The test opens "Shipped from Amazon".
registry.category("web_tour.tours").add("amazon_mcf_warehouse", {
    steps: () => [
        {
            content: "The list is filtered on what waits for Amazon",
            trigger: ".o_searchview .o_facet_value:contains('Waiting for Amazon')",
        },
        {
            content: "The delivery at Amazon is listed with Amazon's state",
            trigger: ".o_data_row:contains('Grace Hopper') td[name='amazon_mcf_state']:contains('At Amazon')",
        },
        {
            content: "The delivery Amazon shipped is not waiting",
            trigger: ".o_list_renderer:not(:has(.o_data_row:contains('Alan Turing')))",
        },
        {
            content: "Open the delivery at Amazon",
            trigger: ".o_data_row:contains('Grace Hopper') td[name='name']",
            run: "click",
        },
        {
            content: "Amazon's state and status on the delivery",
            trigger:
                ".o_form_view:has(.o_amazon_mcf .o_field_widget[name='amazon_mcf_state']:contains('At Amazon'))" +
                ":has(.o_field_widget[name='amazon_mcf_status']:contains('Processing'))",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Shipped from Amazon')",
            run: "click",
        },
        {
            content: "Remove the filter",
            trigger: ".o_searchview .o_facet_remove",
            run: "click",
        },
        {
            content: "Open the delivery Amazon shipped",
            trigger: ".o_data_row:contains('Alan Turing') td[name='name']",
            run: "click",
        },
        {
            content: "Shipped by Amazon, with its carrier and tracking number",
            trigger:
                ".o_form_view:has(.o_field_widget[name='amazon_mcf_state']:contains('Shipped by Amazon'))" +
                ":has(.o_field_widget[name='amazon_mcf_carrier']:contains('UPS'))" +
                ":has(.o_field_widget[name='amazon_mcf_tracking']:contains('1ZTOUR0001'))",
        },
    ],
});
