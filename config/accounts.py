"""Signing in and out. Password reset is not offered: the service sends no email, so an
administrator sets a forgotten password in the admin (see README)."""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.urls import path


class SignInForm(AuthenticationForm):
    remember_me = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the username's max_length without its validator: a longer one would reach
        # authenticate(), and the sign-in log's varchar(255) would refuse it with a 500.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class SignInView(auth_views.LoginView):
    """Django's sign-in; the session ends at browser close unless the user asks to be remembered."""

    form_class = SignInForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(remember_days=settings.REMEMBER_ME_AGE // 86400, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data.get("remember_me"):
            self.request.session.set_expiry(settings.REMEMBER_ME_AGE)
        return response


urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
