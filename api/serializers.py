"""DRF serializers of articles, shared by the sync DRF views and the async adrf views.

They read only what the queryset loaded (articles.selectors: author by select_related, the transition count by
annotate), so `.data` runs no query: safe in async code too. A relation that was not loaded would be fetched here,
row by row, which async code refuses (chapter 12 shows it fail, and the fix).
"""

from drf_spectacular.utils import extend_schema_serializer
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


# many=False: drf-spectacular assumes a ViewSet's list action answers an array of its serializer; this one answers
# one object that holds the array.
@extend_schema_serializer(many=False)
class ArticlePageSerializer(serializers.Serializer):
    """One page of the list: {"page", "count", "articles"}, as /articles/async/ answers."""

    page = serializers.IntegerField()
    count = serializers.IntegerField()
    articles = ArticleSerializer(many=True)


class PublishedSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    status = serializers.CharField()
    published_at = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()


class UpstreamSerializer(serializers.Serializer):
    calls = serializers.IntegerField()
    statuses = serializers.ListField(child=serializers.IntegerField())
