"""The upstream cache in the admin: the summary page (what is cached per upstream, the retention
policy, applying it now) and the project actions (refresh, purge). The work is upstream/stored.py's
and upstream/retention.py's; this module only asks and reports, and leaves admin history."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from core.admin_actions import confirm_and_apply
from core.moderation import log_staff_action

from . import pages, retention, stored
from .models import UpstreamFile


def with_cached_totals(queryset):
    """UpstreamProject rows annotated with cached_files and cached_bytes (one subquery each)."""
    files = (
        UpstreamFile.objects.filter(normalized_name=OuterRef("normalized_name")).order_by().values("normalized_name")
    )
    return queryset.annotate(
        cached_files=Coalesce(Subquery(files.annotate(n=Count("pk")).values("n")), 0),
        cached_bytes=Coalesce(Subquery(files.annotate(total=Sum("size")).values("total")), 0),
    )


@admin.action(description="Refresh from the upstream now", permissions=["change"])
def refresh_projects(modeladmin, request, queryset):
    refreshed, failed = 0, []
    for row in queryset:
        try:
            stored.refresh_project(row.normalized_name)
        except pages.Unavailable as exc:
            failed.append(f"{row.normalized_name} ({exc})")
            continue
        refreshed += 1
        log_staff_action(request.user, row, "Refreshed the upstream page")
    if refreshed:
        modeladmin.message_user(request, f"Asked the upstreams again for {refreshed} projects.", messages.SUCCESS)
    if failed:
        modeladmin.message_user(
            request, f"The upstreams failed, the last copy stays: {'; '.join(failed)}", messages.WARNING
        )


class ConfirmForm(forms.Form):
    """Nothing to fill in: the page lists what the action applies to, and asks once."""


@admin.action(description="Purge cached files", permissions=["change"])
def purge_projects(modeladmin, request, queryset):
    purged = stored.Totals()

    def apply(row, _data):
        done = stored.purge_project(row.normalized_name)
        purged.add(done)
        log_staff_action(request.user, row, f"Purged {done.files} cached files ({done.bytes} bytes)")

    response = confirm_and_apply(
        modeladmin,
        request,
        queryset,
        title="Purge cached files",
        apply=apply,
        form_class=ConfirmForm,
        intro=(
            "Deletes the cached files of these projects from storage and expires their pages: the next "
            "install fetches them from the upstream again (and fails while it is unreachable). The names "
            "stay claimed by the upstream."
        ),
    )
    if response is None and purged.files:
        modeladmin.message_user(request, f"Deleted {purged.files} cached files ({purged.bytes} bytes).")
    return response


def summary_view(modeladmin, request):
    """GET: what is cached per upstream and what the retention policy would evict now;
    POST (staff who may change cached projects): apply the policy now."""
    may_apply = request.user.has_perm("upstream.change_upstreamproject")
    if request.method == "POST" and may_apply:
        outcome = retention.run()
        modeladmin.message_user(request, outcome.line(), messages.SUCCESS)
        return redirect("admin:upstream_cache_summary")
    upstreams = stored.summary()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Upstream cache",
        "opts": modeladmin.model._meta,
        "upstreams": upstreams,
        "total_files": sum(u.files for u in upstreams),
        "total_bytes": sum(u.bytes for u in upstreams),
        "misses": stored.misses(),
        "retention_days": settings.UPSTREAM_RETENTION_DAYS,
        "max_bytes": settings.UPSTREAM_CACHE_MAX_BYTES,
        "preview": retention.run(dry_run=True).line(dry_run=True),
        "may_apply": may_apply,
    }
    return TemplateResponse(request, "admin/upstream/cache_summary.html", context)
