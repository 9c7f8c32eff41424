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
