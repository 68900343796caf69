from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join

from core.people import person_name, sign_in_label

from .. import marks, rag
from ..models import ActionStatus

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


# Tags for the list pages' rows (home, action list): one call a cell rather than an included
# template each, which cost most of those pages' rendering. The include files call them too, so
# each tag's colours are written once.

# Status colours never share a colour with a RAG tag (red, orange, green, blue, grey), so the
# two columns are told apart at a glance. As in GOV.UK's task list, a settled status (complete) or
# none recorded is plain text, not a tag.
STATUS_PLAIN = {"complete", "not_recorded"}
STATUS_CLASS = {
    "not_started": " govuk-tag--purple",
    "delayed": " govuk-tag--magenta",
    "awaiting_sign_off": " govuk-tag--yellow",
}

# Blue for complete as in the usual BRAG scale (GOV.UK's unmodified tag is blue); no status tag
# uses these colours.
RAG_CLASS = {
    "red": " govuk-tag--red",
    "amber_red": " app-tag--amber-red",
    "amber": " govuk-tag--orange",
    "amber_green": " app-tag--amber-green",
    "green": " govuk-tag--green",
    "complete": "",
    "awaiting": " app-tag--awaiting",
}


@register.simple_tag
def status_tag(status, label):
    """An action's status (an ``Action.status`` value) as a tag, with its display text."""
    if status in STATUS_PLAIN:
        return format_html('<span class="app-status app-status--plain">{}</span>', label)
    css = STATUS_CLASS.get(status, " govuk-tag--teal")
    return format_html('<strong class="app-status govuk-tag{}">{}</strong>', css, label)


@register.simple_tag
def rag_tag(rating, label):
    """A RAG rating (a ``rag.Rag`` value) as a tag, with its visible words."""
    css = RAG_CLASS.get(str(rating), " govuk-tag--grey")
    return format_html('<strong class="govuk-tag{}">{}</strong>', css, label)


@register.simple_tag
def action_rag_tag(action):
    """An annotated action's rating as its plan shows it (``rag_shown``, ``rag_words``)."""
    return rag_tag(rag_shown(action), rag_words(action))


@register.filter
def marked(text):
    """The plan's text with its **bold** and *italic* words shown so (actionplans.marks)."""
    return marks.as_html(text or "")


@register.filter
def unmarked(text):
    return marks.plain(text or "")


@register.filter
def status_words(status):
    """An action status code ("not_started") as its words ("Not started")."""
    return dict(ActionStatus.choices).get(status, status)


@register.filter
def owner_names(action):
    """An action's owners in the plan's order, "(supporting)" after a supporting one; "None"."""
    names = [
        f"{link.owner} (supporting)" if link.role == "supporting" else str(link.owner)
        for link in action.ordered_owner_links
    ]
    return ", ".join(names) or "None"


@lru_cache(maxsize=8)
def _action_url_parts(script_prefix):
    return reverse("action_detail", args=[_PK_MARK]).split(str(_PK_MARK))


_PK_MARK = 987654321


@register.filter
def action_url(pk):
    """``{% url 'action_detail' pk %}``, reversed once per process rather than once a row."""
    before, after = _action_url_parts(get_script_prefix())
    return f"{before}{int(pk)}{after}"


@register.filter
def select_options(field):
    """A select field's ``<option>``s, marked as its widget marks them (the first choice whose
    value is chosen, every one for a multiple select), without the widget's object per option:
    those were a fifth of the action list's time for its filter form's few hundred choices."""
    widget = field.field.widget
    chosen = widget.format_value(field.value())
    options, has_selected = [], False
    for value, label in widget.choices:
        value = "" if value is None else value
        selected = (not has_selected or widget.allow_multiple_selected) and str(value) in chosen
        has_selected |= selected
        options.append((value, " selected" if selected else "", label))
    return format_html_join("", '<option value="{}"{}>{}</option>', options)


@register.simple_tag(takes_context=True)
def plan_recommendation(context, rec, section):
    """One recommendation of a plan's outline, with its actions (page_cache.recommendation:
    reused from an earlier render when what it shows has not changed)."""
    from actionplans import page_cache

    return page_cache.recommendation(rec, section, context)
