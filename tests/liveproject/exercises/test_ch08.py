"""liveproject.exercises.ch08: each check passes the right answer and rejects wrong ones with a hint."""

import pytest

from liveproject.exercises.ch08 import check_08_detail_test, check_08_shared_client_fixed, check_08_trap_outcomes
from liveproject.exercises.common import NotYet

TRAPS = """
import pytest
from django.contrib.auth import get_user_model

from articles.models import Article


@pytest.fixture
def article(db):
    author = get_user_model().objects.create(username="writer")
    return Article.objects.create(title="Visible?", slug="visible", body="", status="published", author=author)


@pytest.mark.django_db
async def test_view_sees_fixture_data(async_client, article):
    assert (await async_client.get("/articles/async/visible/")).status_code == 200


@pytest.mark.django_db
async def test_writes_a_row():
    author = await get_user_model().objects.acreate(username="leaker")
    await Article.objects.acreate(title="Leak", slug="leak", body="", author=author)
    assert await Article.objects.filter(slug="leak").aexists()


@pytest.mark.django_db
async def test_starts_from_an_empty_table():
    assert not await Article.objects.filter(slug="leak").aexists()
"""


PYTEST_INI = "[pytest]\nDJANGO_SETTINGS_MODULE = config.settings\nasyncio_mode = auto\n"


@pytest.mark.live
def test_08_1_table_matches_what_the_traps_do_on_this_database(tmp_path):
    from liveproject.databases import backend
    from liveproject.exercises.ch08 import TRAP_OUTCOMES
    from liveproject.pytest_runs import run_pytest

    (tmp_path / "pytest.ini").write_text(PYTEST_INI)
    (tmp_path / "test_traps.py").write_text(TRAPS)
    assert run_pytest(tmp_path).outcomes == TRAP_OUTCOMES[backend()]
    check_08_trap_outcomes({name: dict(table) for name, table in TRAP_OUTCOMES.items()})
    swapped = {"postgresql": TRAP_OUTCOMES["sqlite"], "sqlite": TRAP_OUTCOMES["postgresql"]}
    for wrong in [swapped, {"postgresql": TRAP_OUTCOMES["postgresql"]}, None]:
        with pytest.raises(NotYet, match="uncommitted rows"):
            check_08_trap_outcomes(wrong)


CLIENT_FIXTURE = """
import os

import httpx
import pytest


@pytest.fixture
async def client():
    async with httpx.AsyncClient(base_url=os.environ["SERVER_URL"], timeout=5) as client:
        yield client


async def test_one(client):
    assert (await client.get("/async-hello/")).status_code == 200


async def test_two(client):
    assert (await client.get("/async-hello/")).status_code == 200
"""


SHARED_CLIENT = """
import os

import httpx

SHARED = httpx.AsyncClient(base_url=os.environ["SERVER_URL"], timeout=5)


async def test_one():
    assert (await SHARED.get("/async-hello/")).status_code == 200


async def test_two():
    assert (await SHARED.get("/async-hello/")).status_code == 200
"""


NO_REQUESTS = "def test_one():\n    assert True\n\n\ndef test_two():\n    assert True\n"


def test_08_2_needs_two_passing_tests_that_reach_the_server(tmp_path, uvicorn_server):
    (tmp_path / "pytest.ini").write_text(PYTEST_INI)
    for name, source in [("test_right.py", CLIENT_FIXTURE), ("test_shared.py", SHARED_CLIENT)]:
        (tmp_path / name).write_text(source)
    (tmp_path / "test_vacuous.py").write_text(NO_REQUESTS)
    check_08_shared_client_fixed(tmp_path / "test_right.py", uvicorn_server)
    for wrong in ("test_shared.py", "test_vacuous.py", "test_missing.py"):
        with pytest.raises(NotYet):
            check_08_shared_client_fixed(tmp_path / wrong, uvicorn_server)


DETAIL_TEST = """
import pytest
from django.contrib.auth import get_user_model

from articles.models import Article


@pytest.mark.django_db(transaction=True)
async def test_detail(async_client):
    author = await get_user_model().objects.acreate(username="writer")
    await Article.objects.acreate(title="Hello", slug="hello", body="", status="published", author=author)
    assert (await async_client.get("/articles/async/hello/")).status_code == 200
"""


DETAIL_TEST_ASSERTING_NOTHING = """
import pytest


@pytest.mark.django_db(transaction=True)
async def test_detail(async_client):
    await async_client.get("/articles/async/hello/")
"""


@pytest.mark.live
def test_08_3_needs_a_test_that_passes_and_catches_the_broken_view(tmp_path):
    (tmp_path / "pytest.ini").write_text(PYTEST_INI)
    (tmp_path / "test_right.py").write_text(DETAIL_TEST)
    (tmp_path / "test_vacuous.py").write_text(DETAIL_TEST_ASSERTING_NOTHING)
    (tmp_path / "test_wrong.py").write_text(DETAIL_TEST.replace("== 200", "== 201"))
    check_08_detail_test(tmp_path / "test_right.py")
    with pytest.raises(NotYet, match="one must fail"):
        check_08_detail_test(tmp_path / "test_vacuous.py")
    with pytest.raises(NotYet, match="all must pass"):
        check_08_detail_test(tmp_path / "test_wrong.py")
