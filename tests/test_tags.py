"""Status and RAG tags are told apart at a glance: no status shares a colour with a RAG rating."""

import re

from django.template.loader import render_to_string
from django.utils.html import escape

from actionplans.models import Action
from actionplans.rag import Rag

# GOV.UK Frontend 6 keeps two old names for two of its colours.
SAME_COLOUR = {"turquoise": "teal", "pink": "magenta"}


def colour(html):
    """The colour a tag is drawn in: its modifier, "blue" for the plain tag, None for no tag."""
    tag = re.search(r'class="([^"]*\bgovuk-tag\b[^"]*)"', html)
    if not tag:
        return None
    modifiers = re.findall(r"\b(?:govuk|app)-tag--([a-z-]+)", tag.group(1))
    assert len(modifiers) <= 1, html
    name = modifiers[0] if modifiers else "blue"
    return SAME_COLOUR.get(name, name)


def status_colours():
    return {
        value: colour(
            render_to_string("includes/status_tag.html", {"status": value, "label": label})
        )
        for value, label in Action.Status.choices
    }


def rag_colours():
    return {
        rating.value: colour(
            render_to_string("includes/rag_tag.html", {"rag": rating.value, "label": rating.label})
        )
        for rating in Rag
    }


def test_every_status_and_rating_shows_its_words():
    for value, label in Action.Status.choices:
        assert label in render_to_string(
            "includes/status_tag.html", {"status": value, "label": label}
        )
    for rating in Rag:  # as the page shows it: "plan's" is escaped in the HTML
        assert escape(rating.label) in render_to_string(
            "includes/rag_tag.html", {"rag": rating.value, "label": rating.label}
        )


def test_status_and_rag_colours_are_disjoint():
    statuses = status_colours()
    ratings = rag_colours()
    # Every RAG rating is a coloured tag, each its own colour.
    assert None not in ratings.values()
    assert len(set(ratings.values())) == len(ratings), ratings
    shared = (set(statuses.values()) - {None}) & set(ratings.values())
    assert not shared, f"status and RAG tags share {shared}: {statuses} {ratings}"


def test_status_colours_tell_apart_what_needs_attention():
    statuses = status_colours()
    assert statuses["delayed"] not in {statuses["underway"], statuses["not_started"]}
    assert statuses["awaiting_sign_off"] not in {statuses["underway"], statuses["delayed"]}
