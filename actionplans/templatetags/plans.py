from django import template

from ..rag import Rag

register = template.Library()


@register.filter
def rag_label(value):
    """The words for a RAG value ("red" -> "Red: overdue")."""
    try:
        return Rag(value).label
    except ValueError:
        return ""
