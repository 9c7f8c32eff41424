"""What publishing through the API answers, shared by its three layers: who may publish, and each refusal.

`publish_as` is sync: it calls the sync island `article_publish` (articles/services.py), which owns its
transaction. The sync DRF view calls it directly; the async views call it through one `sync_to_async`.
"""

import logging

from django.db import OperationalError

from articles.models import Article
from articles.services import ArticleAlreadyPublished, article_publish
from config.errors import database_busy

log = logging.getLogger(__name__)


def publish_as(user, slug: str) -> tuple[int, dict]:
    """Publish the draft `slug` as `user`: (200, the article's new state) or (4xx/503, {"error": message})."""
    if not user.is_authenticated:
        return 401, {"error": "log in to publish (POST /auth/login/)"}
    if not user.is_staff:
        return 403, {"error": "only staff can publish"}
    try:
        article = article_publish(slug=slug, published_by=user)
    except Article.DoesNotExist:
        return 404, {"error": f"no article with slug {slug!r}"}
    except ArticleAlreadyPublished:
        return 409, {"error": f"article {slug!r} is already published"}
    except OperationalError as error:
        if not database_busy(error):  # a defect: a 500, with its traceback in the log
            raise
        log.warning("publish %s: %s (answered 503)", slug, error)
        return 503, {"error": "the database is busy; nothing was published, try again"}
    return 200, {"slug": article.slug, "status": article.status, "published_at": article.published_at.isoformat()}
