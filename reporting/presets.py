"""The seeds' own appendix tables as layouts, column for column and in the seeds' order.

Plain data, so the data migration that installs them and the tests read the same thing.
"""

MERTON_AA = "ACCESS AND ASSESSMENT TEAM ACTION PLAN IMPROVING PRACTICE IN CHILD PROTECTION"
MERTON_YJ = "Merton Youth Justice Core Case Inspection (HMIP) Action Plan – October 2011"
ROTHERHAM = "Improvement Panel - Action Delivery Plan – October 2012"

PRESETS = [
    {
        "name": "Merton Appendix A",
        "running_heading": "Appendix A",
        "applies_to_title": MERTON_AA,
        # The plan's introduction is the text the seed prints before its table, its findings
        # listed in its own words; the layout's own list of findings would say them again.
        "include_introduction": True,
        "include_findings": False,
        "group_sections": True,
        "span_recommendations": True,
        # Recommendation 3's time scale, indicator and target: one cell over its four actions.
        "span_repeated_cells": True,
        "columns": [
            ("Recommendation", "recommendation", 16),
            ("Action Required", "action", 18),
            ("Who Responsible", "owners", 9),
            ("Time Scale", "planned_completion", 11),
            ("Performance Indicator", "performance_indicator", 13),
            ("Target", "target", 11),
            ("Progress to Date", "progress", 22),
        ],
    },
    {
        "name": "Merton Appendix B",
        "running_heading": "Appendix B",
        "applies_to_title": MERTON_YJ,
        "include_introduction": True,
        "include_findings": False,
        # The table has no headed groups: one untitled section, so no group rows.
        "group_sections": False,
        "span_recommendations": True,
        "bold_recommendations": True,  # "Recommendation 1" in bold, as the seed
        "columns": [
            ("Recommendation", "recommendation", 11),
            ("Action required", "action", 22),
            ("Who/when", "who_when", 12),
            ("Current benchmark", "benchmark", 15),
            ("Target/date", "target_date", 15),
            ("Progress", "recommendation_progress", 25),
        ],
    },
    {
        "name": "Rotherham action delivery plan",
        "running_heading": "",
        "applies_to_title": ROTHERHAM,
        "include_introduction": False,
        "group_sections": True,
        "span_recommendations": True,
        "columns": [
            ("Ref No", "reference", 5),
            ("Recommendation", "recommendation_text", 16),
            ("Action Required", "action", 21),
            ("Planned Completion Date", "planned_completion", 9),
            ("Lead Officer / Agency", "owners", 12),
            ("Progress and related outcomes", "progress", 37),
        ],
    },
]


def install(Layout, LayoutColumn):
    """Create or bring up to date the presets (model classes passed in, for a data migration)."""
    for spec in PRESETS:
        spec = dict(spec)
        columns = spec.pop("columns")
        # An earlier migration's Layout lacks the fields added since; a later one sets them.
        known = {f.name for f in Layout._meta.get_fields()}
        spec = {k: v for k, v in spec.items() if k in known}
        lookup = {"name": spec.pop("name")}
        if "organisation" in known:
            lookup["organisation"] = ""  # a preset belongs to no council
        layout, _ = Layout.objects.update_or_create(**lookup, defaults=spec)
        LayoutColumn.objects.filter(layout=layout).delete()
        LayoutColumn.objects.bulk_create(
            LayoutColumn(layout=layout, order=i, heading=h, field=f, width=w)
            for i, (h, f, w) in enumerate(columns)
        )
