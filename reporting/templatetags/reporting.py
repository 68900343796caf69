from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def paragraph(para):
    """One paragraph of a cell: bold as <strong>, italic as <em>, text escaped."""
    text = para.text
    if para.italic:
        text = format_html("<em>{}</em>", text)
    if para.bold:
        text = format_html("<strong>{}</strong>", text)
    return format_html("<p>{}</p>", text)
