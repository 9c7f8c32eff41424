"""The admin for articles, with each article's transition history inline."""

from django.contrib import admin

from articles.models import Article, ArticleTransition


class ArticleTransitionInline(admin.TabularInline):
    model = ArticleTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at"]
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "published_at", "author"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["author"]
    inlines = [ArticleTransitionInline]
