from django import template

from ..people import person_name
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
def person(user, nobody=None):
    """A user's name as pages show it (``people.person_name``): ``{{ update.author|person }}``.

    ``{{ user|person:"Unknown" }}`` names the absent user; by default "The system".
    """
    return person_name(user) if nobody is None else person_name(user, nobody)
