"""Near-misses of lab 07 that its checks must fail (labs/near_misses.py explains them)."""

from labs.near_misses import NearMiss

# Each near-miss quotes the lines of the solution it replaces, and those that take a lesson out the same way
# look alike: the repetition is the table, on purpose.

NEAR_MISSES = [
    NearMiss(
        "the unknown-slug test only asserts that the status is not 200",
        (("assert response.status_code == 404", "assert response.status_code != 200"),),
        lesson="an unknown slug must be a 404",
        file="detail_tests.py",
    ),
    NearMiss(
        "the unknown-slug test only looks for an error message in the JSON",
        (("    assert response.status_code == 404\n", ""),),
        lesson="an unknown slug must be a 404",
        file="detail_tests.py",
    ),
    NearMiss(
        "the detail test asserts only the status",
        (
            ("    data = response.json()\n", ""),
            ('    assert (data["slug"], data["title"], data["author"], data["status"]) == (\n'
             '        "testing-async-views",\n'
             '        "Testing async views",\n'
             '        "writer",\n'
             '        "published",\n'
             '    )\n', ""),
        ),
        lesson="assert the values of the fields",
        file="detail_tests.py",
    ),
    NearMiss(
        "the detail test checks that the fields are there, not what they hold",
        (
            ('    assert (data["slug"], data["title"], data["author"], data["status"]) == (\n'
             '        "testing-async-views",\n'
             '        "Testing async views",\n'
             '        "writer",\n'
             '        "published",\n'
             '    )\n',
             '    assert {"slug", "title", "author", "status"} <= data.keys()\n'),
        ),
        lesson="assert the values of the fields",
        file="detail_tests.py",
    ),
    NearMiss(
        "the detail test asserts only the title",
        (
            ('    assert (data["slug"], data["title"], data["author"], data["status"]) == (\n'
             '        "testing-async-views",\n'
             '        "Testing async views",\n'
             '        "writer",\n'
             '        "published",\n'
             '    )\n',
             '    assert data["title"] == "Testing async views"\n'),
        ),
        lesson="the author and the status too",
        file="detail_tests.py",
    ),
    NearMiss(
        "the detail test asserts only that the title is not the body",
        (
            ('    assert (data["slug"], data["title"], data["author"], data["status"]) == (\n'
             '        "testing-async-views",\n'
             '        "Testing async views",\n'
             '        "writer",\n'
             '        "published",\n'
             '    )\n',
             '    assert data["title"] != data["body"]\n'),
        ),
        lesson="the author and the status too",
        file="detail_tests.py",
    ),
    NearMiss(
        "the unknown-slug test only asserts that the status is below 500",
        (("assert response.status_code == 404", "assert response.status_code < 500"),),
        lesson="not any 4xx",
        file="detail_tests.py",
    ),
    NearMiss(
        "the unknown-slug test asserts a client error, any 4xx",
        (("assert response.status_code == 404", "assert 400 <= response.status_code < 500"),),
        lesson="not any 4xx",
        file="detail_tests.py",
    ),
    NearMiss(
        "plain django_db for tests whose fixture is async",
        (
            ("@pytest.mark.django_db(transaction=True)  # data committed", "@pytest.mark.django_db  # data committed"),
            ("@pytest.mark.django_db(transaction=True)\n", "@pytest.mark.django_db\n"),
        ),
        lesson="django_db(transaction=True)",
        file="detail_tests.py",
        differs_by_database=True,
    ),
    NearMiss(
        "the detail test requests a seeded slug instead of the article its fixture created",
        (('get(f"/articles/async/{article.slug}/")', 'get("/articles/async/article-01/")'),),
        lesson="create your own article",
        file="detail_tests.py",
        differs_by_database=True,
    ),
]  # fmt: skip
