"""Every council in England on one deployment: bench.dataset's council, ``councils`` times over.

``bench.run --councils 150`` calls ``generate_councils`` and times, beside the council's pages,
the site administrator's pages across councils (``SITE_ADMIN_PAGES``). The council whose pages
are timed is one in the middle of the generation order (its rows neither first nor last on disk)
and keeps the one-council data set's names (``bench-officer``, Northshire County Council), so the
same pages are timed on one council's data and on every council's.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.http import urlencode

from bench.dataset import COUNCILS, generate

PLACES = [
    "Ash", "Barn", "Brad", "Brook", "Bur", "Castle", "Chester", "Clay", "Cole", "Dun",
    "Elm", "Fair", "Gran", "Hart", "Hay", "Kings", "Lang", "Mar", "New", "Oak",
    "Red", "Ring", "Rother", "Sand", "Stan", "Stock", "Thorn", "Wake", "Wey", "Wood",
]  # fmt: skip
ENDINGS = ["field", "ford", "ham", "ley", "ton"]
KINDS = [
    "County Council",
    "City Council",
    "Metropolitan Borough Council",
    "Borough Council",
    "Council",
]

# (page, user, url name, url args, query string), as bench.run.PAGES: what the site administrator,
# who alone crosses councils, opens. The Django admin's changelists hold every council's rows.
FILTERED = "?status=underway&overdue=on&q=review&o=planned_completion_date"
ADMIN = "admin:actionplans_{}_changelist"
SITE_ADMIN_PAGES = [
    (f"{page} (every council)", "siteadmin", name, [], query)
    for page, name, query in [
        ("home", "home", ""),
        ("plan_list", "plan_list", ""),
        ("action_list", "action_list", ""),
        ("action_list filtered", "action_list", FILTERED),
        # The timed council chosen in the list's council filter: its lists offered.
        ("action_list one council", "action_list", "?" + urlencode({"organisation": COUNCILS[0]})),
        ("owner_list", "owner_list", ""),
        ("inspection_list", "inspection_list", ""),
        ("admin index", "admin:index", ""),
        ("admin plans", ADMIN.format("plan"), ""),
        ("admin actions", ADMIN.format("action"), ""),
        ("admin actions searched", ADMIN.format("action"), "?q=review"),
        # A word in no row: every row looked at, unless an index says where the word is.
        ("admin actions searched, no match", ADMIN.format("action"), "?q=aardvark"),
        ("admin progress updates", ADMIN.format("progressupdate"), ""),
        ("admin progress updates searched", ADMIN.format("progressupdate"), "?q=circulated"),
        (
            "admin progress updates searched, no match",
            ADMIN.format("progressupdate"),
            "?q=aardvark",
        ),
        ("admin owners", ADMIN.format("owner"), ""),
        ("admin recommendations", ADMIN.format("recommendation"), ""),
        ("admin inspections", "admin:inspections_inspection_changelist", ""),
    ]
]


def council_names(count):
    """``count`` distinct council names, the first being bench.dataset's own council."""
    names = [COUNCILS[0]]
    i = 0
    while len(names) < count:
        place = PLACES[i % len(PLACES)] + ENDINGS[(i // len(PLACES)) % len(ENDINGS)]
        names.append(f"{place} {KINDS[i % len(KINDS)]}")
        i += 1
    return names


def site_administrator():
    """The one person who crosses councils (staff, for the Django admin)."""
    user, _ = get_user_model().objects.get_or_create(
        username="bench-siteadmin",
        defaults={
            "first_name": "Sam",
            "last_name": "Okafor",
            "is_staff": True,
            "password": make_password(None),
        },
    )
    group = Group.objects.filter(name="Site administrator").first()
    if group:
        user.groups.add(group)
    return user


def generate_councils(*, councils, plans, actions, updates, seed=1, today=None, progress=print):
    """``councils`` councils of ``plans`` plans, ``actions`` actions and ``updates`` updates each.

    Returns what ``bench.dataset.generate`` returns for the timed council (its users, its largest
    plan), the site administrator among the users, and the counts summed over every council.
    """
    names = council_names(councils)
    timed_at = councils // 2
    order = names[1 : timed_at + 1] + [names[0]] + names[timed_at + 1 :]
    totals, timed = {}, None
    started = time.perf_counter()
    for i, name in enumerate(order):
        data = generate(
            plans=plans,
            actions=actions,
            updates=updates,
            seed=seed + i,
            today=today,
            council=name,
            logins="bench" if name == COUNCILS[0] else f"bench-c{i:03d}",
        )
        today = data["today"]  # every council on the same day, even across midnight
        for key, value in data["counts"].items():
            if not key.startswith("big_plan"):
                totals[key] = totals.get(key, 0) + value
        if name == COUNCILS[0]:
            timed = data
        if progress and (i + 1) % 10 == 0:
            progress(f"  {i + 1} councils in {time.perf_counter() - started:.0f} s")
    timed["counts"] = {"councils": councils, **totals, **_big(timed["counts"])}
    timed["users"]["siteadmin"] = site_administrator()
    return timed


def _big(counts):
    return {k: v for k, v in counts.items() if k.startswith("big_plan")}
