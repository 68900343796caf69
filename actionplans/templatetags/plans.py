from django import template

from .. import rag

register = template.Library()


@register.filter
def rag_words(action):
    """What an action's annotated rating says, an override with who set it and why."""
    return rag.words(action, action.rag)
