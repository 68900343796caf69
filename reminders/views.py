from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from .models import ReminderPreference
from .services import reminder_preference_set


class PreferenceForm(forms.Form):
    emails_off = forms.BooleanField(
        label="Send me no reminder emails",
        required=False,
        help_text="Owners get a daily digest of overdue, due-soon and stale actions; managers a "
        "weekly summary of their plans.",
    )


def preferences(request):
    """The signed-in user's own reminder setting (there is no other user's to reach)."""
    pref = ReminderPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(
        request.POST or None, initial={"emails_off": bool(pref and pref.emails_off)}
    )
    if request.method == "POST" and form.is_valid():
        reminder_preference_set(
            request.user, actor=request.user, emails_off=form.cleaned_data["emails_off"]
        )
        messages.success(request, "Your reminder setting is saved.")
        return redirect("reminder_preferences")
    return render(request, "reminders/preferences.html", {"form": form})
