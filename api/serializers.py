"""DRF serializers of articles, shared by the sync DRF views and the async adrf views.

They read only what the queryset loaded (articles.selectors: author by select_related, the transition count by
annotate), so `.data` runs no query: safe in async code too. A relation that was not loaded would be fetched here,
row by row, which async code refuses (chapter 12 shows it fail, and the fix).
"""

from rest_framework import serializers

from articles.models import Article


class IsoDateTimeField(serializers.DateTimeField):
    """`datetime.isoformat()`, as the project's JSON views write it (DRF's own field writes UTC as "Z")."""

    def to_representation(self, value):
        return value.isoformat()


class ArticleSerializer(serializers.ModelSerializer):
    published_at = IsoDateTimeField(allow_null=True)
    author = serializers.CharField(source="author.username")

    class Meta:
        model = Article
        fields = ["slug", "title", "status", "published_at", "author"]


class ArticleDetailSerializer(ArticleSerializer):
    transitions = serializers.IntegerField(source="transition_count")

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "transitions"]
