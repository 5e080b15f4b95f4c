import logging
from functools import partial

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import HistoryImport, ProactiveAction
from .services import history_import_create
from .tasks import history_import

logger = logging.getLogger(__name__)


class UploadForm(forms.ModelForm):
    class Meta:
        model = HistoryImport
        fields = ["file", "format", "dry_run", "skip_invalid"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            raise forms.ValidationError(_("Choose a CSV or Excel (.xlsx) file."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("The file must be a CSV or an Excel workbook (.xlsx)."))
        return upload


def _enqueue(import_id: int) -> None:
    """Hand the job to a worker; with the broker down it stays queued (the page says so) instead of
    failing the upload that was already saved, and the requeue job (every 10 minutes) sends it again."""
    try:
        history_import.delay(import_id=import_id)
    except Exception:
        logger.exception("history import %s stays queued: the broker did not take it", import_id)


@admin.register(HistoryImport)
class HistoryImportAdmin(admin.ModelAdmin):
    """历史导入 in the browser: upload a file, a worker imports it, this page shows the progress and the
    report of every refused row — the same as `manage.py importdemands`."""

    list_display = ["created_at", "source", "status", "progress", "written", "invalid", "created_by"]
    list_filter = ["status"]
    readonly_fields = [
        "source",
        "status",
        "progress",
        "summary",
        "problems",
        "detail",
        "created_by",
        "created_at",
        "finished_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = UploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file", "format", "dry_run", "skip_invalid"]
        return [
            "source",
            "format",
            "dry_run",
            "skip_invalid",
            "status",
            "progress",
            "summary",
            "problems",
            "detail",
            "created_by",
            "created_at",
            "finished_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*self.readonly_fields, "format", "dry_run", "skip_invalid"]

    def save_model(self, request, obj, form, change):
        if change:  # a job is not edited: everything on its page is read-only
            return
        job = history_import_create(
            by=request.user,
            file=form.cleaned_data["file"],
            fmt=form.cleaned_data["format"],
            dry_run=form.cleaned_data["dry_run"],
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        obj.pk = job.pk
        transaction.on_commit(partial(_enqueue, job.pk))

    def delete_model(self, request, obj):
        if obj.file:  # a queued upload holds callers' names and numbers: it goes with its job
            obj.file.delete(save=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for job in queryset:
            if job.file:
                job.file.delete(save=False)
        super().delete_queryset(request, queryset)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.status in (HistoryImport.Status.QUEUED, HistoryImport.Status.RUNNING):
            return format_html(
                '<progress max="100" value="{}"></progress> {} · {} {}',
                round(obj.fraction * 100),
                obj.stage or obj.get_status_display(),
                obj.rows_read,
                _("rows (reload to follow)"),
            )
        return obj.get_status_display()

    @admin.display(description=_("written"))
    def written(self, obj):
        return obj.report.get("written", "—")

    @admin.display(description=_("bad rows"))
    def invalid(self, obj):
        return obj.report.get("invalid", "—")

    @admin.display(description=_("summary"))
    def summary(self, obj):
        report = obj.report or {}
        labels = [
            ("rows", _("rows")),
            ("valid", _("valid")),
            ("invalid", _("bad rows")),
            ("repeated", _("repeated in the file")),
            ("existing", _("already imported")),
            ("written", _("written")),
        ]
        return format_html_join(" · ", "{}: {}", ((label, report.get(key, 0)) for key, label in labels))

    @admin.display(description=_("rows refused and warnings"))
    def problems(self, obj):
        report = obj.report or {}
        rows = [*report.get("errors", []), *report.get("warnings", [])]
        if not rows:
            return "—"
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", ((p["line"], p["column"], p["reason"]) for p in rows)
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("line"),
            _("column"),
            _("reason"),
            body,
        )


@admin.register(ProactiveAction)
class ProactiveActionAdmin(admin.ModelAdmin):
    """未诉先办 actions, to look up (recorded and verified on /governance/actions/, where the rules are kept)."""

    list_display = ["acted_on", "unit", "category", "status", "people_affected", "verified_by", "verified_at"]
    list_filter = ["status"]
    search_fields = ["what", "place", "unit__name", "unit__code"]
    list_select_related = ["unit", "category", "verified_by"]
    raw_id_fields = ["unit", "area", "category", "topic", "recorded_by", "verified_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
