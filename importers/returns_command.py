"""``import_plan FILE --into "PLAN TITLE" --user NAME [--dry-run]``: a returned copy of a plan's
table read against the plan, its proposed changes printed one a line; without ``--dry-run``
they are kept for the plan's managers to accept (``importers.returns``). Kept apart from the
command's import of new plans, which it shares only its arguments with."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from actionplans import rules
from core.errors import Refused

from . import readers, returns


def plan_named(user, title):
    """The plan titled ``title`` that ``user`` manages; CommandError if none or several."""
    plans = list(rules.managed_plans(user).filter(title=title).order_by("pk")[:2])
    if not plans:
        raise CommandError(
            f"{user.get_username()} manages no plan titled {title!r}: give the plan's title "
            "exactly, as a manager of it."
        )
    if len(plans) > 1:
        raise CommandError(f"More than one plan is titled {title!r}; rename one first.")
    return plans[0]


def import_into(out, path, *, title, username, dry_run):
    """Read ``path`` against the plan; print each proposal and doubt; keep them unless a dry
    run. ``out`` is the command's stdout."""
    if not username:
        raise CommandError("Give --user: the manager the changes are proposed to the plan by.")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No sign-in is named {username!r}.")
    plan = plan_named(user, title)
    with path.open("rb") as handle:
        data = handle.read(readers.MAX_BYTES + 1)
    try:
        reading = returns.returned_read(plan, path.name, data)
    except Refused as error:
        raise CommandError(f"{error.message} Nothing was proposed.") from None
    for proposal in reading.proposals:
        out.write(proposal.line())
    for doubt in reading.doubts:
        out.write(f"Doubt: {doubt}")
    count = len(reading.proposals)
    summary = f"{count} change{'s' if count != 1 else ''} proposed to “{plan.title}”"
    if dry_run:
        out.write(f"{summary}. Dry run: nothing was saved.")
        return None
    returned = returns.returned_add(plan, actor=user, name=path.name, reading=reading)
    out.write(f"{summary}, kept for its managers to accept or reject.")
    return returned
