from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from apps.common.selectors import audit_event_list


@login_required
@permission_required("common.view_auditevent", raise_exception=True)
def audit_list_view(request):
    page = Paginator(audit_event_list(actor=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "common/audit_list.html", {"page": page})
