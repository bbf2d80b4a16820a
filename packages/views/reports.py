"""Report a project as malware or spam: /project/<name>/report/ (logged-in users, rate limited)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from accounts.throttles import Throttle

from ..models import Project, ProjectReport
from ..names import normalize_name

# Reports a user may send per hour: enough for real findings, too few to flood the queue.
REPORTS_PER_HOUR = 5
_reports = Throttle("project-report", REPORTS_PER_HOUR, 3600)


class ReportForm(forms.ModelForm):
    class Meta:
        model = ProjectReport
        fields = ["kind", "summary"]
        labels = {"kind": "What is wrong", "summary": "Details"}
        help_texts = {"summary": "What did you find, and where (release, file, line)? Staff read every report."}
        widgets = {"kind": forms.RadioSelect, "summary": forms.Textarea(attrs={"rows": 6, "maxlength": 5000})}

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if len(summary) < 10:
            raise forms.ValidationError("Please describe the problem in a sentence or two.")
        return summary[:5000]


def _rate_limited(user):
    """Count this report against the user's hourly allowance; True once it is used up."""
    return _reports.hit(user.pk)


@login_required
def report_project(request, name):
    project = get_object_or_404(Project.objects.visible_to(request.user), normalized_name=normalize_name(name))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request.user):
            form.add_error(None, f"You can send at most {REPORTS_PER_HOUR} reports an hour. Please try again later.")
            return render(request, "packages/report_project.html", {"project": project, "form": form}, status=429)
        report = form.save(commit=False)
        report.project = project
        report.project_name = project.name
        report.reporter = request.user
        report.save()
        messages.success(request, f"Thank you. Your report on {project.name} was sent to the moderators.")
        return redirect(f"/project/{project.normalized_name}/")
    return render(request, "packages/report_project.html", {"project": project, "form": form})
