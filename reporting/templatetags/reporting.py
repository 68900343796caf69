from django import template
from django.utils.html import format_html

from ..rules import can_export_plan

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


@register.filter
def may_export(user, plan):
    """``{% if user|may_export:plan %}``: the plan page offers "Prepare for committee" by the
    reporting rule, without actionplans knowing of reporting."""
    return can_export_plan(user, plan)
