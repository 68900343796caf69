from django import template

from .. import rag
from ..people import person_name, sign_in_label

register = template.Library()


@register.filter
def rag_words(action):
    """What an action's annotated rating says on its plan's scale, an override with who set it and
    why (select ``recommendation__plan`` with the action)."""
    return rag.words(action, action.rag, action.recommendation.plan.rag_scale)


@register.filter
def rag_shown(action):
    """An action's annotated rating as its plan's scale shows it."""
    return rag.on_scale(action.rag, action.recommendation.plan.rag_scale).value


@register.filter
def person(user, nobody=None):
    """A user's name as pages show it (``people.person_name``): ``{{ update.author|person }}``.

    ``{{ user|person:"Unknown" }}`` names the absent user; by default "The system".
    """
    return person_name(user) if nobody is None else person_name(user, nobody)


@register.filter
def sign_in(user):
    """A sign-in as ``people.sign_in_label`` names it: "jsmith (Jane Smith)"."""
    return sign_in_label(user)
