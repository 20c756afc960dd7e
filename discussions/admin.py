from django.contrib import admin

from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    Group,
    Invitation,
    MissingArea,
    MissingAreaEndorsement,
    ModerationEvent,
    Participant,
    Ranking,
    ReportSnapshot,
    Workshop,
)


class DiscussionInline(admin.TabularInline):
    model = Discussion
    extra = 0
    fields = ["title", "join_code", "duration_seconds", "recommendation_set"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "place", "language"]
    search_fields = ["title", "place"]
    filter_horizontal = ["members"]
    inlines = [DiscussionInline]


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    list_display = ["title", "workshop", "join_code", "duration_seconds", "started_at", "ended_at"]
    list_filter = ["workshop"]
    search_fields = ["title", "join_code"]
    readonly_fields = ["revision", "created_at"]
    inlines = [GroupInline]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "discussion", "position"]
    list_filter = ["discussion__workshop"]


class RankingInline(admin.TabularInline):
    model = Ranking
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["public_id", "display_name", "group", "discussion", "ranked_at"]
    list_filter = ["discussion__workshop"]
    search_fields = ["public_id", "display_name"]
    raw_id_fields = ["discussion", "group"]
    inlines = [RankingInline]


class EntryAdmin(admin.ModelAdmin):
    list_display = ["text", "group", "hidden", "merged_into", "created_at"]
    list_filter = ["hidden", "discussion__workshop"]
    search_fields = ["text"]
    raw_id_fields = ["discussion", "group", "author", "merged_into"]


@admin.register(MissingArea)
class MissingAreaAdmin(EntryAdmin):
    pass


@admin.register(ActivityProposal)
class ActivityProposalAdmin(EntryAdmin):
    list_display = ["text", "recommendation", *EntryAdmin.list_display[1:]]


@admin.register(MissingAreaEndorsement, ActivityEndorsement)
class EndorsementAdmin(admin.ModelAdmin):
    list_display = ["entry", "participant", "created_at"]
    raw_id_fields = ["entry", "participant"]


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(admin.ModelAdmin):
    list_display = ["discussion", "schema_version", "created_at"]
    readonly_fields = ["discussion", "schema_version", "data", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["workshop", "invitee", "invited_by", "created_at"]


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    """The log is a record: read here, never written (undo a merge on the dashboard).
    Deleting stays allowed, so that deleting a workshop here still takes its log."""

    list_display = ["created_at", "username", "action", "kind", "text", "reason", "discussion"]
    list_filter = ["action", "kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
