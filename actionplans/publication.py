"""The public version of a plan's rows: what the council marked not for publication (Schedule 12A
of the Local Government Act 1972) left out, and the people below the level it chose shown by
their post instead of their name.

Applied to the rows themselves (``snapshots.current`` and ``.as_of`` with ``public=True``) before
any document is made of them, so no format, and no document property, can carry what is left
out. The marks are honoured as they are now, whatever date the rows show: a mark made today keeps
an old update out of a public version of last year's plan too, and the render key moves with it
(``actionplans.changes``: Withholding counts at any time).
"""

import re

from django.db.models import Q

from core.people import name_from_parts

from .models import Owner, OwnerKind, ProgressUpdate, PublicationPolicy, Withholding

AN_OFFICER = "an officer"


def placeholder(category):
    """What a withheld cell says instead of its text."""
    return f"Not published: exempt under paragraph {category} of Schedule 12A"


def _plan_updates(plan):
    return ProgressUpdate.objects.filter(
        Q(action__recommendation__plan=plan) | Q(recommendation__plan=plan)
    )


def _marks(plan, update_ids):
    """(ids of updates left out, {action id: {field: category}}) among the rows' updates."""
    marks = Withholding.objects.filter(
        Q(action__recommendation__plan=plan) | Q(update__in=_plan_updates(plan))
    ).values_list("update_id", "action_id", "field", "category")
    out, cells = set(), {}
    for update_id, action_id, field, category in marks:
        if update_id:
            out.add(update_id)
        else:
            cells.setdefault(action_id, {})[field] = category
    # Updates the rows show from history that are gone now (their marks went with them): kept out
    # if one was ever marked.
    gone = set(update_ids) - set(_plan_updates(plan).values_list("pk", flat=True))
    if gone:
        ever = Withholding.history.filter(update_id__in=gone).values_list("update_id", flat=True)
        out |= set(ever)
    return out, cells


def posts_by_name(plan):
    """{a name as the rows write it: the post it is shown by} for the people the council's
    policy (PublicationPolicy) does not name: its own people, and those of any organisation who
    own an action of the plan. {} when the council names everyone."""
    policy = PublicationPolicy.objects.filter(organisation=plan.organisation).first()
    if policy is None or not policy.name_from:
        return {}
    people = (
        Owner.objects.filter(kind=OwnerKind.PERSON)
        .filter(
            Q(organisation=plan.organisation)
            | Q(action_links__action__recommendation__plan=plan)
            | Q(led_recommendations__plan=plan)
        )
        .select_related("user")
        .distinct()
    )
    posts = {}
    for person in people:
        if not policy.shown_by_post(person.level):
            continue
        post = person.job_title.strip() or AN_OFFICER
        names = {str(person), person.name}
        if person.user is not None:
            user = person.user
            names.add(name_from_parts(user.first_name, user.last_name, user.username, nobody=""))
        posts.update({name.strip(): post for name in names if name and name.strip()})
    return posts


def substitute(text, posts):
    """``text`` with each name in ``posts`` (longest first, as whole words) replaced by the post."""
    if not text or not posts:
        return text
    names = sorted(posts, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
    return pattern.sub(lambda m: posts[m.group(1)], text)


def _cells(action, marks):
    """Replace each marked cell of an action's row; the number replaced."""
    for field, category in marks.items():
        words = placeholder(category)
        if field == "owners":
            action.owners, action.owners_as_written = [], words
        elif field == "planned_completion":
            action.planned_completion_text = words
        else:
            setattr(action, field, words)
        if field in ("performance_indicator", "target"):
            action.measures = []  # a measure's baseline and target are the indicator's figures
    return len(marks)


def _names(action, posts):
    """An action's people by their post where the council does not name them."""
    if not posts:
        return
    renamed = [o for o in action.owners if o.name in posts]
    action.owners = [
        o.__class__(
            name=posts.get(o.name, o.name),
            role=o.role,
            as_written=substitute(o.as_written, posts) if o.name not in posts else "",
        )
        for o in action.owners
    ]
    # The plan's own wording may name them too: the owners' names replace it where any is renamed.
    if renamed:
        action.owners_as_written = ""
    else:
        action.owners_as_written = substitute(action.owners_as_written, posts)
    action.rag_label = substitute(action.rag_label, posts)
    for entry in [*action.updates, *action.decisions]:
        entry.author = posts.get(entry.author, entry.author)


def redact(outline):
    """The outline as the public may see it (changed in place, and returned): updates marked not
    for publication left out, marked cells replaced by the paragraph they are exempt under,
    people named as the council's policy says, and the counts the document states."""
    plan = outline.plan
    update_ids = [
        u.id
        for s in outline.sections
        for r in s.recommendations
        for u in [*r.updates, *(e for a in r.actions for e in [*a.updates, *a.decisions])]
    ]
    out, cells = _marks(plan, update_ids)
    posts = posts_by_name(plan)
    left_out = replaced = 0
    for section in outline.sections:
        for rec in section.recommendations:
            kept = [u for u in rec.updates if u.id not in out]
            left_out += len(rec.updates) - len(kept)
            rec.updates = kept
            rec.leads = [posts.get(name, name) for name in rec.leads]
            for entry in rec.updates:
                entry.author = posts.get(entry.author, entry.author)
            for action in rec.actions:
                for shelf in ("updates", "decisions"):
                    entries = getattr(action, shelf)
                    kept = [u for u in entries if u.id not in out]
                    left_out += len(entries) - len(kept)
                    setattr(action, shelf, kept)
                replaced += _cells(action, cells.get(action.id, {}))
                _names(action, posts)
    outline.public = True
    outline.withheld_updates, outline.withheld_cells = left_out, replaced
    outline.by_post = bool(posts)
    return outline
