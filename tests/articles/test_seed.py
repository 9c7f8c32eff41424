import io

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ArticleTransition
from articles.services import article_publish


def snapshot():
    return list(
        Article.objects.order_by("slug").values_list("slug", "title", "status", "published_at", "author__username")
    )


@pytest.mark.django_db
def test_seed_is_deterministic_and_idempotent(settings):
    call_command("seed_articles", password="pw", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_articles", password="pw", stdout=io.StringIO())
    assert snapshot() == first
    assert len(first) == 60
    assert Article.objects.published().count() == 40
    assert first[0] == ("article-01", "What an event loop does with a request (01)", "published",
                        first[0][3], "ada")  # fmt: skip
    assert first[0][3].isoformat() == "2025-01-07T09:00:00+00:00"


@pytest.mark.django_db
def test_seed_resets_what_the_course_changed(django_user_model):
    call_command("seed_articles", password="pw", stdout=io.StringIO())
    before = snapshot()
    article_publish(slug="article-50", published_by=django_user_model.objects.get(username="editor"))
    assert snapshot() != before
    call_command("seed_articles", password="pw", stdout=io.StringIO())
    assert snapshot() == before
    assert not ArticleTransition.objects.exists()


@pytest.mark.django_db
def test_seed_requires_a_password_outside_debug(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("SEED_USER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="SEED_USER_PASSWORD"):
        call_command("seed_articles", stdout=io.StringIO())


@pytest.mark.django_db
def test_seeded_users_can_log_in_and_only_editor_is_staff(django_user_model):
    call_command("seed_articles", password="pw", stdout=io.StringIO())
    users = {u.username: u for u in django_user_model.objects.all()}
    assert set(users) == {"editor", "reader", "ada", "grace", "alan"}
    assert [name for name, user in users.items() if user.is_staff] == ["editor"]
    assert all(user.check_password("pw") for user in users.values())
