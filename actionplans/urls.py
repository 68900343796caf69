from django.urls import path, re_path

from .views import actions, ladder, plans, publication, setup, sharing, structure

KINDS = "(?P<kind>section|recommendation|action|measure)"

urlpatterns = [
    path("", plans.home, name="home"),
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/new/", setup.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/as-it-stood/", plans.plan_as_of, name="plan_as_of"),
    path("plans/<int:pk>/history/", plans.plan_history, name="plan_history"),
    path("plans/<int:pk>/edit/", structure.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/sharing/", sharing.plan_sharing, name="plan_sharing"),
    path(
        "plans/<int:pk>/sharing/<int:share_pk>/remove/",
        sharing.plan_share_remove,
        name="plan_share_remove",
    ),
    path("plans/<int:pk>/sections/add/", structure.section_add, name="section_add"),
    path(
        "plans/<int:pk>/recommendations/add/",
        structure.recommendation_add,
        name="recommendation_add",
    ),
    path("plans/<int:pk>/measures/", structure.plan_measures, name="plan_measures"),
    path("plans/<int:pk>/measures/add/", structure.measure_add, name="measure_add"),
    path("sections/<int:pk>/edit/", structure.section_edit, name="section_edit"),
    path(
        "recommendations/<int:pk>/", structure.recommendation_detail, name="recommendation_detail"
    ),
    path(
        "recommendations/<int:pk>/edit/", structure.recommendation_edit, name="recommendation_edit"
    ),
    path(
        "recommendations/<int:pk>/history/",
        structure.recommendation_history,
        name="recommendation_history",
    ),
    path("recommendations/<int:pk>/actions/add/", structure.action_add, name="action_add"),
    path("actions/", actions.action_list, name="action_list"),
    path("actions/<int:pk>/", actions.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", structure.action_edit, name="action_edit"),
    path("actions/<int:pk>/update/", actions.action_update, name="action_update"),
    path("actions/<int:pk>/propose-complete/", actions.action_propose, name="action_propose"),
    path("actions/<int:pk>/sign-off/", actions.action_sign_off, name="action_sign_off"),
    path("actions/<int:pk>/reopen/", actions.action_reopen, name="action_reopen"),
    path("actions/<int:pk>/assure/", ladder.completion_assure, name="completion_assure"),
    path("actions/<int:pk>/impact-shown/", ladder.completion_impact, name="completion_impact"),
    path(
        "actions/<int:pk>/reopen-step/",
        ladder.completion_step_reopen,
        name="completion_step_reopen",
    ),
    path("actions/<int:pk>/history/", actions.action_history, name="action_history"),
    path(
        "actions/<int:pk>/publication/",
        publication.action_publication,
        name="action_publication",
    ),
    path("publication/", publication.publication_policy, name="publication_policy"),
    path("measures/<int:pk>/edit/", structure.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/readings/add/", structure.reading_add, name="reading_add"),
    path("owners/", setup.owner_list, name="owner_list"),
    path("owners/new/", setup.owner_add, name="owner_add"),
    path("owners/<int:pk>/", setup.owner_detail, name="owner_detail"),
    path("owners/<int:pk>/edit/", setup.owner_edit, name="owner_edit"),
    re_path(rf"^{KINDS}/(?P<pk>[0-9]+)/move/$", structure.move, name="move"),
    re_path(rf"^{KINDS}/(?P<pk>[0-9]+)/remove/$", structure.remove, name="remove"),
    path("evidence/<int:pk>/", actions.evidence_download, name="evidence_download"),
]
