"""Who is reminded of what: each owner's digest, each manager's weekly summary (send_reminders).

Sent at most once per user, kind and day (ReminderSent's unique constraint); the weekly summary at
most once in 7 days; never to a user who turned reminders off or has no email address.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse

from actionplans import ladder, queries, rules
from actionplans.models import Plan

from .models import ReminderPreference, ReminderSent

WEEK = 7


def link(path):
    return settings.SITE_URL.rstrip("/") + path


def recipients():
    off = ReminderPreference.objects.filter(emails_off=True).values("user_id")
    return get_user_model().objects.filter(is_active=True).exclude(email="").exclude(pk__in=off)


def owner_digest(user, today):
    """(subject, body) of an owner's digest, or None when nothing needs chasing."""
    mine = rules.owned_actions(user).select_related("recommendation__plan")
    parts = []
    for title, rule in (
        ("Overdue", queries.overdue_rule(today)),
        ("Due soon", queries.due_soon_rule(today)),
        ("No recent update", queries.stale_rule(today)),
    ):
        actions = list(mine.filter(rule).order_by("planned_completion_date", "pk"))
        if actions:
            lines = [
                f"- {a.label} ({a.recommendation.plan.title}): {link(a.get_absolute_url())}"
                for a in actions
            ]
            parts.append(f"{title} ({len(actions)}):\n" + "\n".join(lines))
    if not parts:
        return None
    body = "Actions of yours that need attention:\n\n" + "\n\n".join(parts)
    body += f"\n\nTo stop these emails: {link(reverse('reminder_preferences'))}\n"
    return "Your actions to chase", body


def manager_summary(user, today):
    plans = list(rules.managed_plans(user).order_by("title"))
    if not plans:
        return None
    from actionplans.models import Action

    counts = {
        row["recommendation__plan"]: row
        for row in Action.objects.filter(recommendation__plan__in=plans)
        .values("recommendation__plan")
        .annotate(
            overdue=Count("pk", filter=queries.overdue_rule(today)),
            due_soon=Count("pk", filter=queries.due_soon_rule(today)),
            stale=Count("pk", filter=queries.stale_rule(today)),
            awaiting=Count("pk", filter=queries.AWAITING_RULE),
        )
    }
    lines = []
    for plan in plans:
        c = counts.get(plan.pk, {"overdue": 0, "due_soon": 0, "stale": 0, "awaiting": 0})
        lines.append(
            f"{plan.title}: {c['overdue']} overdue, {c['due_soon']} due soon, {c['stale']} without "
            f"a recent update, {c['awaiting']} awaiting sign-off. "
            f"{link(reverse('plan_dashboard', args=[plan.pk]))}"
        )
    body = "Your plans this week:\n\n" + "\n".join(lines)
    body += rechecks_due(plans, today)
    body += f"\n\nAll your plans: {link(reverse('manager_dashboard'))}\n"
    body += f"To stop these emails: {link(reverse('reminder_preferences'))}\n"
    return "Your plans this week", body


def rechecks_due(plans, today):
    """The assured actions of ``plans`` whose re-check date has come or is near, in words."""
    from actionplans.models import Action

    due = ladder.due_rechecks(Action.objects.filter(recommendation__plan__in=plans), today)
    lines = []
    for step in due:
        action = step.action
        when = "was due" if step.recheck_on < today else "is due"
        lines.append(
            f"- {action.label} ({action.recommendation.plan.title}): its re-check {when} by "
            f"{step.recheck_on:%-d %B %Y}. {link(action.get_absolute_url())}"
        )
    if not lines:
        return ""
    return f"\n\nAssured actions due for re-check ({len(lines)}):\n" + "\n".join(lines)


def _send_once(user, kind, today, message, dry_run):
    if dry_run:
        return True
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user=user, kind=kind, sent_on=today)
            send_mail(message[0], message[1], None, [user.email])
    except IntegrityError:
        return False  # already sent today (another run got there first)
    return True


def send_all(today, *, dry_run=False):
    """Send what is due today; returns [(username, kind, subject)] sent (or, dry, to send)."""
    sent = []
    done_today = set(ReminderSent.objects.filter(sent_on=today).values_list("user_id", "kind"))
    weekly_recent = set(
        ReminderSent.objects.filter(
            kind=ReminderSent.Kind.WEEKLY, sent_on__gt=today - dt.timedelta(days=WEEK)
        ).values_list("user_id", flat=True)
    )
    managers = set(Plan.managers.through.objects.values_list("user_id", flat=True))
    for user in recipients().order_by("pk"):
        if (user.pk, ReminderSent.Kind.DIGEST) not in done_today:
            message = owner_digest(user, today)
            if message and _send_once(user, ReminderSent.Kind.DIGEST, today, message, dry_run):
                sent.append((user.username, ReminderSent.Kind.DIGEST, message[0]))
        if user.pk in managers and user.pk not in weekly_recent:
            message = manager_summary(user, today)
            if message and _send_once(user, ReminderSent.Kind.WEEKLY, today, message, dry_run):
                sent.append((user.username, ReminderSent.Kind.WEEKLY, message[0]))
    return sent
