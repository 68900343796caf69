from django import template

from .. import rag
from ..rag import Rag

register = template.Library()


@register.filter
def rag_label(value):
    """The words for a RAG value ("red" -> "Red: overdue")."""
    try:
        return Rag(value).label
    except ValueError:
        return ""


@register.filter
def rag_words(action):
    """What an action's annotated rating says, an override with who set it and why."""
    return rag.words(action, action.rag)
