from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import services


@require_safe
def stats_page(request):
    context = {"totals": services.totals(), "top": services.top_projects(limit=20, include_upstream=True)}
    return render(request, "stats/stats.html", context)
