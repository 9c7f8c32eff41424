"""Seed the course's articles and users: deterministic and idempotent.

Running it once or five times leaves the same rows: 60 articles (`article-01` .. `article-60`, the first
40 published at fixed times), their authors, an `editor` who may publish (staff) and a `reader` who
may not. Seeded articles return to their canonical state, including their transition history.

Passwords come from --password or SEED_USER_PASSWORD; only with DEBUG on is there a local default.
"""

import datetime as dt
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Article, ArticleTransition

LOCAL_DEVELOPMENT_PASSWORD = "course-password"
ARTICLE_COUNT = 60
PUBLISHED_COUNT = 40
AUTHORS = ["ada", "grace", "alan"]
TOPICS = [
    "What an event loop does with a request",
    "WSGI workers and ASGI event loops",
    "Async views that wait well",
    "The async ORM, method by method",
    "Middleware for both modes",
    "Sync islands for transactions",
    "Cancellation when clients leave",
    "Streaming server-sent events",
    "Testing async code",
    "Deploying under uvicorn",
]
FIRST_PUBLISHED = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Create or reset the course's users and articles (deterministic, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for every seeded user (default: $SEED_USER_PASSWORD)")

    def handle(self, *args, password=None, **options):
        password = password or os.environ.get("SEED_USER_PASSWORD")
        if not password:
            if not settings.DEBUG:
                raise CommandError("set SEED_USER_PASSWORD or pass --password (no default outside DEBUG)")
            password = LOCAL_DEVELOPMENT_PASSWORD
        with transaction.atomic():
            users = self.seed_users(password)
            self.seed_articles(users)
        self.stdout.write(f"seeded {len(users)} users and {ARTICLE_COUNT} articles ({PUBLISHED_COUNT} published)")

    def seed_users(self, password):
        User = get_user_model()
        specs = [("editor", True)] + [("reader", False)] + [(name, False) for name in AUTHORS]
        users = {}
        for username, is_staff in specs:
            user, _ = User.objects.get_or_create(username=username)
            user.email = f"{username}@example.com"
            user.is_staff = is_staff
            user.is_superuser = False
            if not user.check_password(password):
                user.set_password(password)
            user.save()
            users[username] = user
        return users

    def seed_articles(self, users):
        for i in range(1, ARTICLE_COUNT + 1):
            published = i <= PUBLISHED_COUNT
            moment = FIRST_PUBLISHED + dt.timedelta(days=i)
            topic = TOPICS[(i - 1) % len(TOPICS)]
            article, _ = Article.objects.update_or_create(
                slug=f"article-{i:02d}",
                defaults={
                    "title": f"{topic} ({i:02d})",
                    "body": f"Article {i} of the course's sample data: {topic.lower()}.",
                    "status": Article.Status.PUBLISHED if published else Article.Status.DRAFT,
                    "published_at": moment if published else None,
                    "author": users[AUTHORS[(i - 1) % len(AUTHORS)]],
                    "created_at": moment - dt.timedelta(hours=1),
                },
            )
            ArticleTransition.objects.filter(article=article).delete()
