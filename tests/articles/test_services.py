import pytest

from articles.models import Article, ArticleTransition
from articles.services import ArticleAlreadyPublished, article_publish


@pytest.mark.django_db
def test_publish_moves_a_draft_and_records_one_transition(editor):
    article = article_publish(slug="article-41", published_by=editor)
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None
    stored = Article.objects.get(slug="article-41")
    assert (stored.status, stored.published_at) == (article.status, article.published_at)
    assert list(
        ArticleTransition.objects.values_list("article__slug", "from_status", "to_status", "changed_by__username")
    ) == [("article-41", "draft", "published", "editor")]


@pytest.mark.django_db
def test_publishing_twice_is_refused_and_changes_nothing(editor):
    article_publish(slug="article-41", published_by=editor)
    first = Article.objects.get(slug="article-41").published_at
    with pytest.raises(ArticleAlreadyPublished):
        article_publish(slug="article-41", published_by=editor)
    assert Article.objects.get(slug="article-41").published_at == first
    assert ArticleTransition.objects.count() == 1


@pytest.mark.django_db
def test_publish_unknown_slug_raises_does_not_exist(editor):
    with pytest.raises(Article.DoesNotExist):
        article_publish(slug="nope", published_by=editor)


@pytest.mark.django_db
def test_published_queryset(seeded):
    assert Article.objects.published().count() == 40
    assert not Article.objects.published().filter(status="draft").exists()
