import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A sales manager reads Amazon revenue per marketplace: Sales › Reporting › Amazon.
registry.category("web_tour.tours").add("amazon_sales_report", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Sales",
            trigger: ".o_app[data-menu-xmlid='sale.sale_menu_root']",
            run: "click",
        },
        {
            content: "Open Reporting",
            trigger: ".o_main_navbar button:contains('Reporting'), .o_main_navbar a:contains('Reporting')",
            run: "click",
        },
        {
            content: "Open the Amazon report",
            trigger: ".dropdown-item[data-menu-xmlid='amazon_sp_connector.menu_amazon_sale_report']",
            run: "click",
        },
        {
            content: "The pivot shows a row per marketplace",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Amazon.com'), .o_pivot th:contains('Amazon.com')",
        },
        {
            content: "and its revenue (the database may hold other Amazon sales: any amount)",
            trigger: ".o_pivot tbody tr:has(th:contains('Amazon.com')) .o_pivot_cell_value:not(:empty)",
        },
    ],
});
