from django.contrib import admin

from recommendations.models import Recommendation, RecommendationSet


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    extra = 0


@admin.register(RecommendationSet)
class RecommendationSetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "source"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RecommendationInline]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "recommendation_set"]
    list_filter = ["recommendation_set"]
    search_fields = ["title", "bullets"]
