"""A council's appendix layouts: listed (with the presets), copied, made and edited."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from actionplans import rules as plan_rules
from core.errors import Refused, StaleEdit
from core.views import rebound, refuse

from .. import services
from ..forms import LayoutForm, column_formset
from ..rules import check_layouts, get_layout_for_user, layout_council, visible_layouts


def layout_list(request):
    check_layouts(request.user)
    layouts = visible_layouts(request.user).prefetch_related("columns")
    can_copy = bool(plan_rules.council_of(request.user))
    return render(request, "reporting/layout_list.html", {"layouts": layouts, "can_copy": can_copy})


@require_POST
def layout_copy(request, pk):
    layout = get_layout_for_user(request.user, pk)
    copy = services.layout_copy(
        layout, actor=request.user, organisation=layout_council(request.user)
    )
    messages.success(request, f"{copy} is your council's copy of {layout}: change it here.")
    return redirect("layout_edit", copy.pk)


def layout_add(request):
    council = layout_council(request.user)

    def create(form, columns):
        return services.layout_create(
            form.cleaned_data, actor=request.user, organisation=council, columns=columns
        )

    return _layout_form(request, "Create a layout", create, "created")


def layout_edit(request, pk):
    layout = get_layout_for_user(request.user, pk, edit=True)

    def edit(form, columns):
        version = form.cleaned_data.get("version") or 0
        return services.layout_edit(
            layout, actor=request.user, version=version, values=form.cleaned_data, columns=columns
        )

    return _layout_form(request, f"Edit {layout}", edit, "saved", layout)


def _layout_form(request, title, save, done, layout=None):
    """The layout's settings and columns (a new layout's when ``layout`` is None), written by
    ``save(form, columns)``: a refusal is shown as an error of the form, and an edit someone else
    saved first is shown again with what they changed."""
    data = request.POST or None
    form = LayoutForm(data, instance=layout)
    columns = column_formset(layout, data=data, blank=3 if layout else 6)
    stale = None
    if request.method == "POST" and form.is_valid() and columns.is_valid():
        try:
            saved = save(form, columns.columns())
        except StaleEdit as conflict:
            stale, form = conflict, rebound(LayoutForm, request.POST, conflict)
        except Refused as refused:
            refuse(form, refused)
        else:
            messages.success(request, f"Layout {saved} {done}.")
            return redirect("layout_list")
    context = {"form": form, "columns": columns, "title": title, "layout": layout, "stale": stale}
    return render(request, "reporting/layout_form.html", context)
