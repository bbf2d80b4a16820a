"""Staff manage sponsors here; Django's admin history logs every change."""

from django import forms
from django.contrib import admin

from . import logos, services
from .models import Sponsor, SponsorLevel, SponsorsPage


class SponsorForm(forms.ModelForm):
    link_url = forms.URLField(max_length=500, assume_scheme="https", help_text="http or https only.")
    logo = forms.FileField(
        required=False,
        help_text=f"PNG, JPEG, WebP or SVG (no scripts, links or styles), at most {logos.MAX_BYTES // 1024} KiB.",
    )

    class Meta:
        model = Sponsor
        fields = "__all__"

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            if not (self.instance and self.instance.logo_path):
                raise forms.ValidationError("A sponsor needs a logo.")
            return None
        if upload.size > logos.MAX_BYTES:
            raise forms.ValidationError(f"A logo may be at most {logos.MAX_BYTES // 1024} KiB.")
        return logos.check(upload.read())

    def save(self, commit=True):
        sponsor = super().save(commit=False)
        if self.cleaned_data.get("logo"):
            sponsor.store_logo(self.cleaned_data["logo"])
        if commit:
            sponsor.save()
        return sponsor


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    form = SponsorForm
    list_display = ["name", "level", "in_footer", "on_sponsors_page", "on_home_page", "active_from", "active_until"]
    list_filter = ["level", "in_footer", "on_home_page"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.forget()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.forget()


@admin.register(SponsorLevel)
class SponsorLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]


@admin.register(SponsorsPage)
class SponsorsPageAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not SponsorsPage.objects.exists()
