from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Finding, Inspection, Judgement


class JudgementInline(admin.TabularInline):
    model = Judgement
    extra = 0


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    fields = [("kind", "reference", "paragraph", "order"), "text", "responsible"]


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "inspectorate", "kind", "organisation", "started_on", "published_on"]
    list_filter = ["inspectorate", "kind", "organisation"]
    search_fields = ["title", "service", "organisation", "findings__text"]
    date_hierarchy = "started_on"
    inlines = [JudgementInline, FindingInline]


@admin.register(Judgement)
class JudgementAdmin(SimpleHistoryAdmin):
    list_display = ["area", "grade", "inspection"]
    list_filter = ["inspection__inspectorate", "grade"]
    search_fields = ["area", "grade"]


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "reference", "inspection"]
    # By council: a filter of every council's inspections is a page of links (issue 28).
    list_filter = ["kind", "inspection__inspectorate", "inspection__organisation"]
    search_fields = ["text", "reference", "paragraph"]
