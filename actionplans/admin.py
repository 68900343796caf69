from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin

from core import people, query_time
from core.lookups import InArray

from .models import (
    Action,
    ActionOwner,
    CrossCouncilRead,
    Evidence,
    Measure,
    Owner,
    Plan,
    ProgressUpdate,
    Reading,
    Recommendation,
    Section,
)

User = get_user_model()


class CappedCount(Paginator):
    """A filtered or searched list counted up to CAP rows: counting every match of a search
    through 3,000,000 updates read every one of them (3.4 s), where a page needs only the first
    hundred. The whole table is still counted exactly."""

    CAP = 10_000

    @cached_property
    def count(self):
        if not self.object_list.query.where:
            return super().count
        return self.object_list[: self.CAP].count()


def search_words(search_term):
    """The words of an admin search, as Django's admin splits them (a quoted phrase is one)."""
    for word in smart_split(search_term):
        if word[:1] in "\"'" and word[-1:] == word[:1]:
            word = unescape_string_literal(word)
        if word:
            yield word


class EveryCouncil:
    """A changelist of every council's rows (issue 28: 300,000 actions, 3,000,000 updates): no
    second count of the whole table beside a filtered one, a filtered one counted up to
    CappedCount.CAP, and lists filtered by council, not by plan or section (a filter of 7,500
    plans is a page of links, and no use to find one).

    A search finds each word as Django's admin does (in any of ``search_fields``, plain paths of
    fields, every word),
    but a field of a related record (``action__reference``) is looked up in that record's own
    table first, and the rows by the ids found, as one array: Django joined the related tables
    and tested every row of the join, and a word among 3,000,000 updates took 3.2 s. Every part
    of the condition is then on the list's own table, where PostgreSQL can meet a common word in
    the order the list is shown (newest first, by id) and a rare one through the trigram indexes
    of the fields searched (migration 0019). The first SEARCH_WORDS words are looked for: each
    is a condition on every field, and a search of thousands would hold a worker.

    A trigram index cannot serve a word of one or two letters: a search for one found in no row
    reads every row (6 s for 3,000,000 updates). A search's queries are stopped after
    SEARCH_SECONDS, and the list shown again without it, with the reason."""

    show_full_result_count = False
    paginator = CappedCount
    SEARCH_WORDS = 10
    SEARCH_SECONDS = 3

    def changelist_view(self, request, extra_context=None):
        if request.method != "GET" or not request.GET.get(SEARCH_VAR, "").strip():
            return super().changelist_view(request, extra_context)
        try:
            with query_time.at_most(self.SEARCH_SECONDS):
                response = super().changelist_view(request, extra_context)
                # Rendered here, where the page's queries run, inside the limit.
                return response.render() if hasattr(response, "render") else response
        except query_time.TooSlow:
            messages.error(
                request,
                f"The search for “{request.GET[SEARCH_VAR].strip()[:100]}” was stopped "
                f"after {self.SEARCH_SECONDS} seconds. Words of three letters or more are found "
                "much faster.",
            )
            rest = request.GET.copy()
            rest.pop(SEARCH_VAR)
            return HttpResponseRedirect(request.path + (f"?{rest.urlencode()}" if rest else ""))

    def get_search_results(self, request, queryset, search_term):
        words = list(search_words(search_term))
        if len(words) > self.SEARCH_WORDS:
            words = words[: self.SEARCH_WORDS]
            messages.warning(
                request,
                f"Only the first {self.SEARCH_WORDS} words were searched for: {' '.join(words)}",
            )
        condition = Q()
        for word in words:
            anywhere, related = Q(), {}
            for path in self.search_fields:
                key, _, rest = path.partition("__")
                if rest:
                    related[key] = related.get(key, Q()) | Q(**{f"{rest}__icontains": word})
                else:
                    anywhere |= Q(**{f"{path}__icontains": word})
            for key, matching in related.items():
                model = self.model._meta.get_field(key).related_model
                found = model.objects.filter(matching).values("pk")
                anywhere |= Q(InArray(F(key), found))
            condition &= anywhere
        return queryset.filter(condition), False


@admin.register(Owner)
class OwnerAdmin(EveryCouncil, SimpleHistoryAdmin):
    list_display = ["name", "kind", "job_title", "initials", "organisation", "user"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name", "job_title", "initials", "email"]
    filter_horizontal = ["members"]
    raw_id_fields = ["user"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Plan)
class PlanAdmin(EveryCouncil, SimpleHistoryAdmin):
    list_display = ["title", "organisation", "status", "submitted_on", "overall_rating"]
    list_filter = ["status", "organisation", "overall_rating"]
    search_fields = ["title", "organisation", "directorate"]
    filter_horizontal = ["inspections", "managers"]
    autocomplete_fields = ["sponsor", "governance_body"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(EveryCouncil, SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "order"]
    list_filter = ["plan__organisation"]
    search_fields = ["title"]


class ActionInline(admin.StackedInline):
    model = Action
    fk_name = "recommendation"
    extra = 0
    fields = [
        ("reference", "order", "status"),
        "text",
        ("planned_completion_text", "planned_completion_date", "completed_on"),
    ]


@admin.register(Recommendation)
class RecommendationAdmin(EveryCouncil, SimpleHistoryAdmin):
    list_display = ["reference", "short_text", "plan", "section"]
    list_filter = ["plan__organisation"]
    search_fields = ["reference", "text", "outcomes", "paragraph"]
    autocomplete_fields = ["leads", "accountable_body", "findings"]
    ordering = ["-pk"]  # an index's order, as for actions
    list_select_related = ["plan", "section"]
    inlines = [ActionInline]

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text[:80]


class ProgressUpdateInline(admin.StackedInline):
    model = ProgressUpdate
    fk_name = "action"
    extra = 0
    fields = [("written_on", "period_label", "status", "author"), "text"]
    raw_id_fields = ["author"]


class ActionOwnerInline(admin.TabularInline):
    # Owners in the plan's order, each a lead or supporting (the service pages edit them too).
    model = ActionOwner
    extra = 0
    fields = ["owner", "order", "role", "as_written"]
    autocomplete_fields = ["owner"]


@admin.register(Action)
class ActionAdmin(EveryCouncil, SimpleHistoryAdmin):
    list_display = [
        "label",
        "short_text",
        "plan",
        "planned_completion_text",
        "planned_completion_date",
        "status",
    ]
    list_filter = [
        "status",
        "recommendation__plan__organisation",
        "owners__kind",
        "planned_completion_date",
    ]
    search_fields = ["reference", "text", "recommendation__reference"]
    autocomplete_fields = ["accountable_body", "also_answers", "recommendation"]
    list_select_related = ["recommendation__plan"]
    ordering = ["-pk"]  # an index's order: the plan's order sorted 300,000 actions for a page
    inlines = [ActionOwnerInline, ProgressUpdateInline]

    def get_search_results(self, request, queryset, search_term):
        # Owners' names through a subquery: as a search field they made the admin test every
        # action of every council for a matching owner (3.7 s for 300,000 actions).
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            named = ActionOwner.objects.filter(owner__name__icontains=search_term.strip())
            found |= queryset.filter(InArray(F("pk"), named.values("action")))
        return found, duplicates

    @admin.display(description="action required")
    def short_text(self, obj):
        return obj.text[:80]

    @admin.display(description="plan")
    def plan(self, obj):
        return obj.recommendation.plan


class ReadingInline(admin.TabularInline):
    model = Reading
    extra = 0


@admin.register(Measure)
class MeasureAdmin(EveryCouncil, SimpleHistoryAdmin):
    list_display = ["name", "unit", "baseline_text", "target_text", "target_date", "plan"]
    list_filter = ["unit", "plan__organisation"]
    search_fields = ["name", "baseline_text", "target_text"]
    raw_id_fields = ["recommendation", "action"]
    inlines = [ReadingInline]


@admin.register(Reading)
class ReadingAdmin(EveryCouncil, SimpleHistoryAdmin):
    list_display = ["measure", "period_label", "taken_on", "value", "numerator", "denominator"]
    list_filter = ["measure__plan__organisation"]
    search_fields = ["measure__name", "period_label", "note"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(EveryCouncil, SimpleHistoryAdmin):
    list_display = ["written_on", "period_label", "action", "recommendation", "author", "status"]
    list_filter = ["status", "written_on"]
    search_fields = ["text", "period_label", "action__reference", "recommendation__reference"]
    raw_id_fields = ["action", "recommendation", "author", "attributed_to"]
    # Newest first by id, an index's order: by date, PostgreSQL sorted 3,000,000 updates for a
    # page, and a date hierarchy read every update's date (written_on stays a filter).
    ordering = ["-pk"]
    list_select_related = ["action", "recommendation", "author"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name"]
    raw_id_fields = ["update", "uploaded_by"]


@admin.register(CrossCouncilRead)
class CrossCouncilReadAdmin(admin.ModelAdmin):
    """The site administrator's reads across councils: kept, never changed."""

    list_display = ["at", "user", "organisation", "what"]
    list_filter = ["organisation"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Users: a sign-in that history names is deactivated, never deleted (people.py says why). The
# admin's delete answers with its own refusal page, saying where history names the sign-in and
# what to do instead; the rule itself holds below the admin too (people's pre_delete).
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    actions = ["deactivate"]

    @admin.action(description="Deactivate the selected sign-ins (history keeps their names)")
    def deactivate(self, request, queryset):
        count = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(request, f"Deactivated {count}: they can no longer sign in.")

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for user in objs:
            named = people.named_in_history(user)
            if named:
                protected.append(
                    f"{user}: history names this sign-in ({', '.join(named)}). Deactivate it "
                    "instead: untick Active on its page. It can then no longer sign in, and "
                    "history keeps the name of who did what."
                )
        return deleted, counts, perms_needed, protected
