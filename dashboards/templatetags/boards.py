"""Tags for the dashboards' tables."""

from django import template
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
LINK = '<a class="govuk-link" href="{}">{}</a>'
DATA = '<td class="govuk-table__cell">{}</td>'


@register.filter
def count_cells(cells):
    """A row's (count, url) pairs as numeric cells, each linked to its action list (0 is not):
    one filter, not a loop of template nodes, for the thousands of cells of a council's boards
    (issue 28). Counts are integers; the URLs are escaped."""
    html = "".join(
        CELL.format(LINK.format(escape(url), int(count)) if count else 0) for count, url in cells
    )
    return mark_safe(html)  # nosec B308 B703: integers and escaped URLs in fixed markup


@register.filter
def chart_rows(chart):
    """A chart's data (``charts.Chart.rows``) as the table's rows, each row's first cell its
    header: a 200-action plan's trend is 104 weeks of six cells, which as a loop of template
    nodes was half of its dashboard's template (issue 28). Cells are escaped."""
    if not chart.rows:
        return format_html(
            '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{}">'
            "No data yet.</td></tr>",
            len(chart.headers),
        )
    return format_html_join(
        "",
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>{}</tr>',
        (
            (head, mark_safe("".join(DATA.format(conditional_escape(cell)) for cell in rest)))  # nosec B308 B703: escaped cells in fixed markup
            for head, *rest in chart.rows
        ),
    )
