"""The action list's filters: every one lives in the URL, so a view can be bookmarked or shared."""

import django_filters
from django import forms
from django.db.models import Q

from core.councils import is_site_administrator
from inspections.models import Inspection

from . import queries, rag, rules
from .models import Action, Owner, ProgressUpdate

SEARCH_LIMIT = 200
# The lists that hold one council's records: every council's together were about 22,000 options
# (2.7 MB) on the site administrator's list among 150 councils (issue 28).
PER_COUNCIL = {
    "plan": "plans",
    "inspection": "inspections",
    "owner": "owners",
    "body": "accountable bodies",
}


class ActionFilter(django_filters.FilterSet):
    # Bounded: a search of megabytes is no search, and SQLite refuses so long a LIKE pattern.
    q = django_filters.CharFilter(
        label="Search references, text and owners", method="search", max_length=SEARCH_LIMIT
    )
    # Offered to the site administrator alone (who sees every council): the lists below are then
    # that council's. It narrows what the user sees (rules.visible_actions), never widens it.
    organisation = django_filters.ChoiceFilter(
        label="Council",
        choices=[],
        empty_label="Any council",
        method="in_council",
        help_text="Choose a council and apply the filters to filter by its plans, inspections, "
        "owners or accountable bodies.",
        error_messages={"invalid_choice": "Choose a council from the list."},
    )
    plan = django_filters.ModelChoiceFilter(
        label="Plan", field_name="recommendation__plan", queryset=None
    )
    inspection = django_filters.ModelChoiceFilter(
        label="Inspection", queryset=None, method="in_inspection"
    )
    owner = django_filters.ModelChoiceFilter(
        label="Owner (person or team)", queryset=None, method="owned_by"
    )
    mine = django_filters.BooleanFilter(
        label="Only my actions", method="only_mine", widget=forms.CheckboxInput
    )
    # One value per action, so no row repeats: the DISTINCT django-filter adds by default had
    # PostgreSQL build every matching action of every council before cutting a page (issue 28).
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=Action.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    rag = django_filters.MultipleChoiceFilter(
        label="RAG", choices=rag.Rag.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    due_after = django_filters.DateFilter(
        label="Due on or after", field_name="planned_completion_date", lookup_expr="gte"
    )
    due_before = django_filters.DateFilter(
        label="Due on or before", field_name="planned_completion_date", lookup_expr="lte"
    )
    overdue = django_filters.BooleanFilter(
        label="Only overdue", method="only_overdue", widget=forms.CheckboxInput
    )
    due_soon = django_filters.BooleanFilter(
        label="Only due soon (within the plan's days)",
        method="only_due_soon",
        widget=forms.CheckboxInput,
    )
    stale = django_filters.BooleanFilter(
        label="Only without a recent update (as the plan sets it)",
        method="only_stale",
        widget=forms.CheckboxInput,
    )
    body = django_filters.ModelChoiceFilter(
        label="Accountable body", field_name="accountable_body", queryset=None
    )
    no_update_since = django_filters.DateFilter(label="No update since", method="not_updated_since")
    o = django_filters.OrderingFilter(
        label="Sort by",
        fields=[
            ("recommendation__plan__title", "plan"),
            ("reference", "reference"),
            ("planned_completion_date", "planned_completion_date"),
            ("status", "status"),
            ("rag", "rag"),
            ("last_update_on", "last_update"),
        ],
    )

    class Meta:
        model = Action
        fields = []

    def __init__(self, *args, user, today, **kwargs):
        self.user, self.today = user, today
        super().__init__(*args, **kwargs)
        plans = rules.visible_plans(user)
        council = self._council(plans)
        if council:
            plans = plans.filter(organisation=council)
        self.filters["plan"].queryset = plans
        self.filters["inspection"].queryset = Inspection.objects.filter(
            plans__in=plans.values("pk")
        ).distinct()
        self.filters["owner"].queryset = queries.owner_choices(plans)
        self.filters["body"].queryset = queries.body_choices(plans)
        if council:
            for name, records in PER_COUNCIL.items():
                self.filters[name].extra["error_messages"] = {
                    "invalid_choice": f"Choose one of {council}'s {records}, or any council."
                }
        elif "organisation" in self.filters:
            # Every council's records are not offered: a list is offered once a council is
            # chosen, or holds only the record a link names (a plan page's "Filter its actions").
            for name in PER_COUNCIL:
                named = self.data.get(name) if self.is_bound else None
                if named:
                    self.filters[name].queryset = _only(self.filters[name].queryset, named)
                else:
                    del self.filters[name]

    def keep_choices(self, kept):
        """Offer the lists of plans, inspections, owners and bodies as ``kept(name, make)``
        returns them (``make()`` reads one): the same for everyone who sees the same plans until
        one's outline changes (issue 28: reading and naming them was a third of the list made
        afresh after a progress update, which changes none of them). The records themselves
        still check a value sent. The site administrator's lists, per council, are read each
        time."""
        if "organisation" in self.filters:
            return
        for name in PER_COUNCIL:
            field = self.form.fields[name]
            field.widget.choices = kept(
                name, lambda field=field: [(str(v), str(label)) for v, label in field.choices]
            )

    def _council(self, plans):
        """The council chosen, for a user who sees more than one; else None (and no such filter:
        a council's officer, manager or clerk sees only their own and those shared with it)."""
        if not is_site_administrator(self.user):
            del self.filters["organisation"]
            return None
        councils = plans.order_by("organisation").values_list("organisation", flat=True)
        councils = list(councils.distinct())
        self.filters["organisation"].extra["choices"] = [(c, c) for c in councils]
        chosen = self.data.get("organisation") if self.is_bound else None
        # Anything else is the form's error ("Choose a council from the list"), and no council.
        return chosen if chosen in councils else None

    def in_council(self, queryset, name, value):
        return queryset.filter(recommendation__plan__organisation=value)

    def search(self, queryset, name, value):
        words = value.split()[:10]
        rule = Q()
        for word in words:
            # Owners through a subquery: joining them would repeat an action once per owner.
            owned = Action.objects.filter(
                Q(owners__name__icontains=word) | Q(owners__initials__iexact=word)
            ).values("pk")
            rule &= (
                Q(reference__icontains=word)
                | Q(text__icontains=word)
                | Q(recommendation__reference__icontains=word)
                | Q(recommendation__text__icontains=word)
                | Q(pk__in=owned)
            )
        # Initials written with a space ("M W-S") are one owner's, not two words.
        if len(words) > 1:
            initials = Action.objects.filter(owners__initials__iexact=" ".join(words))
            rule |= Q(pk__in=initials.values("pk"))
        return queryset.filter(rule)

    def in_inspection(self, queryset, name, value):
        return queryset.filter(recommendation__plan__inspections=value)

    def owned_by(self, queryset, name, value):
        # A person also owns what their teams own.
        owners = Owner.objects.filter(Q(pk=value.pk) | Q(members=value)).values("pk")
        return queryset.filter(pk__in=Action.objects.filter(owners__in=owners).values("pk"))

    def only_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=rules.owned_actions(self.user).values("pk"))

    # The same rules as the home page and the dashboards count by (queries), with each plan's days.
    def only_overdue(self, queryset, name, value):
        return queryset.filter(queries.overdue_rule(self.today)) if value else queryset

    def only_due_soon(self, queryset, name, value):
        return queryset.filter(queries.due_soon_rule(self.today)) if value else queryset

    def only_stale(self, queryset, name, value):
        return queryset.filter(queries.stale_rule(self.today)) if value else queryset

    def not_updated_since(self, queryset, name, value):
        # Progress only: a manager's sign-off or return is not an update of the work.
        recent = ProgressUpdate.objects.progress().filter(
            written_on__gte=value,
            action__isnull=False,  # NOT IN over a NULL matches nothing
        )
        return queryset.open().exclude(pk__in=recent.values("action_id"))


def _only(queryset, pk):
    """The record of ``queryset`` whose id is ``pk`` as a select sends it, or none."""
    try:
        return queryset.filter(pk=int(pk))
    except (TypeError, ValueError):  # not a number (or more digits than Python reads)
        return queryset.none()


class OwnerFilter(django_filters.FilterSet):
    """The owners list's filters: a search, the kind of owner and the organisation."""

    q = django_filters.CharFilter(
        label="Search names, initials and job titles", method="search", max_length=SEARCH_LIMIT
    )
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=Owner.Kind.choices, empty_label="Any kind"
    )
    organisation = django_filters.ChoiceFilter(
        label="Organisation", choices=[], empty_label="Any organisation"
    )

    class Meta:
        model = Owner
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = (
            self.queryset.order_by("organisation").values_list("organisation", flat=True).distinct()
        )
        self.filters["organisation"].extra["choices"] = [(o, o) for o in organisations]

    def search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(initials__iexact=word) | Q(job_title__icontains=word)
            )
        return queryset
