from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .forms import LoginForm
from .roles import primary_role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    role = primary_role(request.user)
    template = f"home/{role.code}.html" if role else "home/default.html"
    return render(request, template, {"role": role})
