"""liveproject.endpoints: the project's routes, and which views are written with `async def`."""


def test_defined_with_async_def_sees_through_method_decorator():
    from articles.views import ArticleListView
    from liveproject.endpoints import defined_with_async_def

    assert defined_with_async_def(ArticleListView.as_view())  # its get() is wrapped by method_decorator


def test_project_endpoints_leave_out_the_admin_and_the_students_lab_code():
    from liveproject.endpoints import project_endpoints

    routes = [route for route, _ in project_endpoints()]
    assert "/async-hello/" in routes
    assert "/articles/async/<slug:slug>/" in routes
    assert not [route for route in routes if route.startswith(("/admin/", "/labs/"))]


def test_view_name_names_the_code_to_open_for_every_kind_of_view():
    from django.urls import resolve

    from liveproject.endpoints import view_name

    assert {path: view_name(resolve(path).func) for path in [
        "/ping/async/", "/articles/async/", "/api/drf/articles/", "/api/drf/articles/a/publish/",
        "/api/adrf/articles/a/", "/api/ninja/articles/a/", "/api/ninja/openapi.json",
    ]} == {
        "/ping/async/": "pages.views.twins.async_ping",  # a function
        "/articles/async/": "articles.views.ArticleListView",  # a class-based view
        "/api/drf/articles/": "api.drf_views.ArticleViewSet.list",  # a ViewSet's action
        "/api/drf/articles/a/publish/": "api.drf_views.ArticleViewSet.publish",
        "/api/adrf/articles/a/": "api.adrf_views.ArticleDetail",
        "/api/ninja/articles/a/": "api.ninja_api.article_detail",  # the function behind ninja's wrapper
        "/api/ninja/openapi.json": "ninja.openapi.views.openapi_json",  # a functools.partial
    }  # fmt: skip
