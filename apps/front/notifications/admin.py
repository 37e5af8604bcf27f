from django import forms
from django.contrib import admin
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from govservice.api import DomainError

from .models import DeliveryAttempt, MessageTemplate, MessageTemplateVersion, Notification, NotificationPreference
from .services import template_version_create
from .services.templates import template_texts_validate


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "status", "provider_reference", "error", "started_at", "finished_at", "reported_at"]
    readonly_fields = ["number", "status", "provider_reference", "error", "started_at", "finished_at", "reported_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "channel", "status", "attempts", "next_attempt_at", "template_version", "created_at"]
    # The version (nullable, so not joined by default) and its template name the version column.
    list_select_related = ["template_version__template"]
    list_filter = ["channel", "status", "event", "language"]
    # Messages are evidence of what was said: read-only here.
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request):
        return False


class VersionInline(admin.TabularInline):
    model = MessageTemplateVersion
    extra = 0
    can_delete = False
    fields = ["version", "subject_zh", "subject_en", "source", "author", "note", "created_at"]
    readonly_fields = ["version", "subject_zh", "subject_en", "source", "author", "note", "created_at"]
    ordering = ["-version"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["event", "channel", "current_version"]
    list_filter = ["channel"]
    search_fields = ["event"]
    readonly_fields = ["event", "channel", "created_at"]
    inlines = [VersionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(newest_version=Max("versions__version"))

    @admin.display(description=_("当前版本"), ordering="newest_version")
    def current_version(self, obj):
        return obj.newest_version


class VersionForm(forms.ModelForm):
    class Meta:
        model = MessageTemplateVersion
        fields = ["template", "subject_zh", "body_zh", "subject_en", "body_en", "note"]

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template is not None:
            try:
                template_texts_validate(
                    event=template.event,
                    channel=template.channel,
                    subject_zh=data.get("subject_zh", ""),
                    body_zh=data.get("body_zh", ""),
                    subject_en=data.get("subject_en", ""),
                    body_en=data.get("body_en", ""),
                )
            except DomainError as exc:
                raise forms.ValidationError(str(exc.detail)) from None
        return data


@admin.register(MessageTemplateVersion)
class MessageTemplateVersionAdmin(admin.ModelAdmin):
    """Editing a template = adding a version. Versions already used are never changed."""

    form = VersionForm

    list_display = ["template", "version", "subject_zh", "source", "author", "created_at"]
    list_select_related = ["template", "author"]
    list_filter = ["template__channel", "source"]
    search_fields = ["template__event", "subject_zh", "body_zh"]
    fields = ["template", "subject_zh", "body_zh", "subject_en", "body_en", "note"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = template_version_create(
            event=obj.template.event,
            channel=obj.template.channel,
            subject_zh=obj.subject_zh,
            body_zh=obj.body_zh,
            subject_en=obj.subject_en,
            body_en=obj.body_en,
            author=request.user,
            note=obj.note,
        )
        obj.pk, obj.version = saved.pk, saved.version


admin.site.register(NotificationPreference, list_display=["user", "sms", "email", "language", "updated_at"])
