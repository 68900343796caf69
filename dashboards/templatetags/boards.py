"""Tags for the dashboards' tables."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
LINK = '<a class="govuk-link" href="{}">{}</a>'


@register.filter
def count_cells(cells):
    """A row's (count, url) pairs as numeric cells, each linked to its action list (0 is not):
    one filter, not a loop of template nodes, for the thousands of cells of a council's boards
    (issue 28). Counts are integers; the URLs are escaped."""
    html = "".join(
        CELL.format(LINK.format(escape(url), int(count)) if count else 0) for count, url in cells
    )
    return mark_safe(html)  # nosec B308 B703: integers and escaped URLs in fixed markup
