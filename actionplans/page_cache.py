"""Pages built and rendered once and reused (issue 16: the plan page was 60% template rendering
and 28% building rows): the plan page's rows, shared by its readers (``PlanPage``), and the main
part of the pages readers open most, made for each reader (``render_reused``): their home, the
action list, the plan page around its rows and the dashboards.

What is reused is kept in the "pages" cache under a key naming everything it depends on:

- the plans and their ``rows_token``, which every change to what the pages show replaces in the
  same transaction (``bump``), or for what shows only their outline (names, owners, dates moved:
  snapshots.Shape, the action list's lists) their ``outline_token``, which a progress update
  leaves: which plans a change changes, and how, is the one registry's to say
  (changes.py: every write that keeps history, and a user's name; owners' and users' names are on
  every plan, so a change to one replaces every plan's; a change to someone's roles replaces the
  plans they see, one to a role's permissions every plan's);
- today's date, since ratings move with it;
- for the plan page, what the reader asked for and may do (editing controls, every update or the
  latest, sections closed, the narrowing), never who they are: the rows hold no CSRF token (their
  Move buttons post the page's one form, made for each request). For a reader's pages, who they
  are, what they asked for (the address's query) and every plan they may see: a plan they come to
  see, or no longer see, is a new key;
- the release (``release``), so a new version never serves what an old one made (an upgrade of a
  dependency alone is seen the next day, when every key changes).

A key is never reused for other content, so nothing has to be deleted and the cache needs no
sharing between app servers to be right (sharing only saves work): see docs/deploy.md.
"""

import hashlib
import pickle  # nosec B403: only digests what the code itself made; never loaded
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db.models.signals import m2m_changed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import changes, rules, snapshots
from .models import Plan

TEMPLATE = "includes/plan_outline.html"
RECOMMENDATION_TEMPLATE = "includes/plan_recommendation.html"


def _cache():
    return caches[settings.PAGE_CACHE]


def room():
    """How many entries the pages cache keeps (PAGE_CACHE_MAX_ENTRIES) before it drops those
    read least recently (config/cache.py)."""
    return _cache()._max_entries


# --- What changes the rows -----------------------------------------------------------------


def bump(plan_ids, *, outline=True):
    """Give the plans (None: every plan) a new rows token, in the caller's transaction, and a
    new outline token unless the change was to their progress only (``outline``)."""
    plans = Plan.objects.all() if plan_ids is None else Plan.objects.filter(pk__in=plan_ids)
    if plan_ids is None or plan_ids:
        token = uuid.uuid4().hex
        plans.update(rows_token=token, **({"outline_token": token} if outline else {}))


def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # What a reader may see and do follows their roles, which no history records. A person's
    # roles change only their own pages: the plans they now see get new tokens. Every plan was
    # (issue 28: one council's new manager rewrote every council's 7,500 plans and had every
    # council's pages made again). A role's permissions, or a role emptied, may change anyone's.
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if sender is Group.permissions.through or (reverse and pk_set is None):
        bump(None)
        return
    users = get_user_model().objects.filter(pk__in=pk_set if reverse else [instance.pk])
    bump({pk for user in users for pk in rules.visible_plans(user).values_list("pk", flat=True)})


# What changes which plans' rows is the one registry's to say (changes.py).
changes.watch(bump)
for _roles in (
    get_user_model().groups.through,
    get_user_model().user_permissions.through,
    Group.permissions.through,
):
    m2m_changed.connect(_roles_changed, sender=_roles, dispatch_uid=f"page_cache_{_roles.__name__}")


# --- Reuse -----------------------------------------------------------------------------------


@cache
def release():
    """A digest of the project's code and templates, read once per process: a release that makes
    a page differently never reads what another made."""
    root = Path(settings.BASE_DIR)
    folders = [root / "templates", root / "config"]
    folders += [path.parent for path in root.glob("*/apps.py")]
    digest = hashlib.sha256()
    for path in sorted(p for folder in folders for p in folder.rglob("*.*")):
        if path.suffix in {".py", ".html", ".css"}:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key_of(*parts):
    """A cache key for ``parts`` (plain values) and the release."""
    return hashlib.sha256(repr((*parts, release())).encode()).hexdigest()


def visible_plans_now(user):
    """The plans ``user`` may see, each as (id, rows token, outline token): as part of a key,
    any change to what they show, or to which plans they are, makes a new one; what shows only
    their outline (names, dates moved, who owns what) may be kept under the outline tokens."""
    return sorted(rules.visible_plans(user).values_list("pk", "rows_token", "outline_token"))


def outlines(plans):
    """``plans`` (``visible_plans_now``) as (id, outline token) pairs."""
    return [(pk, outline) for pk, _, outline in plans]


def kept(key):
    """What the pages cache keeps under ``key``, or None."""
    return _cache().get(key)


def keep(key, value):
    _cache().set(key, value)


def reuse(key, make):
    """What ``make()`` returns, made once for ``key`` and kept in the pages cache."""
    made = kept(key)
    if made is None:
        made = make()
        keep(key, made)
    return made


def reuse_each(keys, make):
    """For ``keys`` (an id: its key), what each id's key keeps; the ids not kept are made
    together by ``make(ids)`` (an id: its value; an id it leaves out is empty) and kept."""
    kept = _cache().get_many(keys.values())
    found = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [pk for pk in keys if pk not in found]
    if missing:
        made = make(missing)
        made = {pk: made.get(pk, ()) for pk in missing}
        _cache().set_many({keys[pk]: value for pk, value in made.items()})
        found.update(made)
    return found


def for_reader(request, page, today, make, *, plans=None):
    """The main part of a reader's ``page`` (rendered by ``make()``), made once for this user,
    the address's query, ``today`` and ``plans`` (a plan and its tokens, ``visible_plans_now``;
    by default every plan they may see, as they now are); as the UTF-8 bytes sent."""
    if plans is None:
        plans = visible_plans_now(request.user)
    asked = list(request.GET.lists())
    key = key_of(page, request.user.pk, asked, plans, today.isoformat())
    return reuse(key, lambda: make().encode())


# Where a plan page's main part, made for one reader, takes the rows that every reader shares: the
# same in every app server, and no text from a user can make it (templates escape "<").
ROWS_MARK = mark_safe("<!-- the plan's rows -->")  # nosec B308 B703: a constant


# Where the rest of a page (made for each request: the header names the reader, a message may be
# shown once) takes its main part, put in by ``render_reused``. The same holds as for ROWS_MARK.
BODY_MARK = mark_safe("<!-- the page's main part -->")  # nosec B308 B703: a constant


def render_reused(request, template, today, context, *, plans=None, rows=None, outer=None):
    """``template``, whose main part (its "body" partial) is rendered from ``context()`` once and
    reused while nothing it shows changes (page_cache.for_reader); ``outer`` is what the rest of
    the page (title, breadcrumbs) shows, and ``rows`` a plan's rows to put in the main part."""

    def make():
        # What is reused holds no CSRF token (a form there would be refused, never given another
        # request's token): a form that posts is put in when served (the plan page's move form).
        # ("" renders nothing; Django 6.1's "NOTPROVIDED" raises in format_html.)
        # bandit B105 accepted: the empty token is the absence of one, not a password.
        no_token = {"csrf_token": ""}  # nosec B105
        return render_to_string(f"{template}#body", {**context(), **no_token}, request)

    body = for_reader(request, template, today, make, plans=plans)
    # The parts are joined once, as the bytes sent: put in through the templates, the 560 KB of a
    # plan of 200 actions was copied at each level of the page's blocks, and turned from text to
    # bytes and back (issue 28).
    response = render(request, template, {**(outer or {}), "body": BODY_MARK})
    before, _, after = response.content.partition(BODY_MARK.encode())
    if rows is None:
        main = [body]
    else:  # the rows (bytes) between the two halves of the main part
        top, _, bottom = body.partition(ROWS_MARK.encode())
        main = [top, rows, bottom]
    response.content = b"".join([before, *main, after])
    return response


@dataclass(frozen=True)
class Item:
    id: int
    name: str = ""
    title: str = ""


@dataclass(frozen=True)
class Summary:
    """What the page shows about the whole plan beyond its rows, as plain values."""

    action_count: int
    unowned_actions: list
    rating: str
    rating_label: str
    roll_up_rule: str
    sections: list

    @classmethod
    def of(cls, whole):
        return cls(
            action_count=whole.action_count,
            unowned_actions=[Item(a.id, a.name) for a in whole.unowned_actions],
            rating=whole.rating,
            rating_label=whole.rating_label,
            roll_up_rule=whole.roll_up_rule,
            sections=[Item(s.id, title=s.title) for s in whole.sections],
        )


@dataclass(frozen=True)
class Rows:
    """The rendered rows, with the counts the page shows beside them."""

    html: bytes  # UTF-8, as sent: kept, read and put in the page without becoming text
    action_count: int
    sections: list  # the ids of the sections shown


class PlanPage:
    """A plan's rows as of ``today``: the summary at once, the rendered rows on request
    (``all_updates``: the rows the reader will ask for have every update)."""

    def __init__(self, plan, today, *, all_updates=False):
        self.plan, self.today = plan, today
        self.key = key_of("plan", plan.pk, plan.rows_token, today.isoformat())
        self._wholes = {}
        self.summary = reuse(self.key, lambda: Summary.of(self.whole(all_updates)))

    def whole(self, all_updates=False):
        """The plan's rows now; of progress, the latest of each action unless ``all_updates``
        (rows with every update, once read, serve for the latest too)."""
        if True in self._wholes:
            return self._wholes[True]
        if all_updates not in self._wholes:
            latest = not all_updates
            self._wholes[all_updates] = snapshots.current(self.plan, self.today, latest=latest)
        return self._wholes[all_updates]

    def rows(self, *, can_edit, all_updates, sections_closed, narrowing):
        asked = (can_edit, all_updates, sections_closed, *sorted(narrowing.items()))
        return reuse(
            key_of(self.key, asked),
            lambda: self._render(asked, can_edit, all_updates, sections_closed, narrowing),
        )

    def _render(self, asked, can_edit, all_updates, sections_closed, narrowing):
        narrowed = any(narrowing.values())
        whole = self.whole(all_updates)
        outline = snapshots.narrow(whole, **narrowing) if narrowed else whole
        fragments = Fragments(key_of("plan recommendations", self.plan.pk, asked))
        context = {
            "outline": outline,
            "plan": self.plan,
            "can_edit": can_edit,
            "all_updates": all_updates,
            "sections_closed": sections_closed,
            "narrowed": narrowed,
            "fragments": fragments,
        }
        html = render_to_string(TEMPLATE, context)
        fragments.save()
        return Rows(html.encode(), outline.action_count, [s.id for s in outline.sections])


class Fragments:
    """A plan's recommendations as rendered, each under a digest of everything its template is
    given (its rows as plain values, and what the reader asked for), kept across the plan's
    versions and days: after a write, or on a new day, only the recommendations whose rows
    changed are rendered again (issue 28: a write makes readers pay for the rows it changed)."""

    def __init__(self, key):
        self.key = key
        self.kept = _cache().get(key) or {}
        self.used = {}

    def render(self, context):
        # Pickled, not repr'd: five times faster for the same plain values, and equal values
        # pickle alike (two that pickle apart only cost a render).
        digest = hashlib.sha256(pickle.dumps(sorted(context.items()), protocol=5)).digest()
        html = self.used.get(digest) or self.kept.get(digest)
        if html is None:
            html = render_to_string(RECOMMENDATION_TEMPLATE, context)
        self.used[digest] = html
        return html

    def save(self):
        """Keep what this render used, and only that: a recommendation's older renders go."""
        if self.used.keys() != self.kept.keys():
            _cache().set(self.key, self.used)


def recommendation(rec, section, context):
    """One recommendation of an outline (in its ``section``), with its actions, rendered with
    what the outline's template ``context`` says, through its fragments when it has them."""
    shown = {
        "rec": rec,
        "titled": bool(section.title),
        "at": context["outline"].at,
        "can_edit": bool(context.get("can_edit")),
        "all_updates": bool(context.get("all_updates")),
        "sections_closed": bool(context.get("sections_closed")),
    }
    fragments = context.get("fragments")
    if fragments is None:
        return render_to_string(RECOMMENDATION_TEMPLATE, shown)
    return fragments.render(shown)


@cache
def as_of_form():
    """The plan page's empty "as it stood on" field, rendered once per process: crispy's layout
    of one field cost a quarter of the page's rendering, and it never changes."""
    from .forms import AsOfForm

    html = render_to_string("includes/as_of_form.html", {"form": AsOfForm()})
    return mark_safe(html)  # nosec B308 B703: rendered by a template, escaped there
