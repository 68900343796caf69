"""What every app's form pages share: reading a post, showing a refusal as the form's error, and
an edit that someone else saved first shown with what they changed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from .errors import Refused, Repeated, StaleEdit

FORM = "core/form.html"


def require(allowed, message):
    """A page the user may not use at all (a signed-in officer on a manager's page): 403."""
    if not allowed:
        raise PermissionDenied(message)


def posted(request):
    """The submitted form data, or None so that a form shown by GET is unbound."""
    return request.POST if request.method == "POST" else None


def form_page(request, form, title, back, back_label="Back", **context):
    context.update(form=form, title=title, back=back, back_label=back_label)
    return render(request, FORM, context)


def refuse(form, refused):
    """Show a refusal of the domain (Refused) as an error of the form."""
    form.add_error(refused.field if refused.field in form.fields else None, refused.message)


def fields_of(form):
    """The model fields the form edits: the only ones its save writes."""
    return [name for name in form._meta.fields if name in form.fields]


def edit_of(request, form):
    """What a versioned edit's service is given besides the record: who, the version the form
    was opened at, and the fields it edits."""
    return {
        "actor": request.user,
        "version": form.cleaned_data["version"],
        "fields": fields_of(form),
    }


def save_form(request, form, save, message):
    """Save a valid bound ``form`` through the service ``save``; None if it was refused."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form)
    except StaleEdit:
        raise  # shown with what changed (versioned_form)
    except Repeated as repeated:
        if repeated.made is None:
            refuse(form, repeated)
            return None
        # Sent twice (a double click, a retry): what the first one saved, as if just saved.
        messages.info(request, repeated.message)
        return repeated.made
    except Refused as refused:
        refuse(form, refused)
        return None
    messages.success(request, message)
    return saved


def simple_form(request, form, save, message, *, done, title, back, back_label="Back", **context):
    """Show ``form``; when it is valid, write it through the named service ``save`` and go to
    ``done``."""
    if save_form(request, form, save, message) is not None:
        return redirect(done)
    return form_page(request, form, title, back, back_label, **context)


def versioned_form(
    request,
    form_class,
    instance,
    title,
    save,
    *,
    back,
    form_kwargs=None,
    context=None,
    message=None,
    back_label="Back",
    done=None,
):
    """Add or edit an object that carries a version; a stale edit is re-shown with what changed,
    any other refusal as an error of the form."""
    form_kwargs = form_kwargs or {}
    form = form_class(posted(request), instance=instance, **form_kwargs)
    conflict = None
    message = message or f"The {form_class.Meta.model._meta.verbose_name} has been saved."
    try:
        saved = save_form(request, form, save, message)
        if saved is not None:
            return redirect(done(saved) if done else saved.get_absolute_url())
    except StaleEdit as stale:
        conflict, form = stale, rebound(form_class, request.POST, stale, **form_kwargs)
    return form_page(request, form, title, back, back_label, conflict=conflict, **(context or {}))


def rebound(form_class, data, stale, **kwargs):
    """The editor's posted ``data`` again, now based on the version someone else saved first
    (``stale``, a StaleEdit): saving it again is deliberate."""
    data = data.copy()
    data["version"] = stale.current.version
    form = form_class(data, instance=stale.current, **kwargs)
    form.is_valid()
    return form
