from django import template
from django.utils.html import conditional_escape, format_html, format_html_join

from ..rules import can_export_plan

register = template.Library()


@register.simple_tag
def paragraph(para, tag="p"):
    """One paragraph of a cell: each run's text escaped, bold as <strong>, italic as <em>, an
    ordinal's ending as <sup>. ``tag=""``: the runs alone, for a printed cell of one paragraph,
    which looks the same without its <p> (its margins are 0) and is a fifth quicker for
    WeasyPrint to lay out: most cells are one paragraph, and each element costs it time."""
    if not tag:
        return runs(para)
    return format_html("<{}>{}</{}>", tag, runs(para), tag)


def runs(para):
    html = []
    for run in para.pieces:
        text = conditional_escape(run.text)
        if run.superscript:
            text = format_html("<sup>{}</sup>", text)
        if run.italic:
            text = format_html("<em>{}</em>", text)
        if run.bold:
            text = format_html("<strong>{}</strong>", text)
        html.append(text)
    return format_html_join("", "{}", ((text,) for text in html))


@register.filter
def may_export(user, plan):
    """``{% if user|may_export:plan %}``: the plan page offers "Prepare for committee" by the
    reporting rule, without actionplans knowing of reporting."""
    return can_export_plan(user, plan)
