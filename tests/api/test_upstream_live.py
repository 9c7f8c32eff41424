"""The upstream calls under uvicorn, where the upstream is the server's own /upstream/: each layer answers the same
JSON; the sync DRF view makes its calls one after another, the async layers all at once."""

import pytest

from tests.api.test_upstream import WITH_PLAIN_DJANGO


@pytest.mark.parametrize("layer", WITH_PLAIN_DJANGO)
def test_every_layer_calls_the_upstream_once_per_delay(uvicorn_server, layer):
    response = uvicorn_server.client.get(f"{WITH_PLAIN_DJANGO[layer]}/upstream/", params={"delays": "0,0.05,0"})
    assert (response.status_code, response.json()) == (200, {"calls": 3, "statuses": [200, 200, 200]})


@pytest.mark.parametrize(("layer", "overlapping"), [("drf", False), ("adrf", True), ("ninja", True), ("django", True)])
def test_only_the_async_layers_overlap_their_calls(uvicorn_server, layer, overlapping):
    """Two 0.5 s calls. In turn they take at least 1 s, whatever the machine; overlapped, they take 0.5 s and a
    little: under 1 s unless the machine adds half a second, so the bound tells the two apart, not a speed."""
    response = uvicorn_server.client.get(f"{WITH_PLAIN_DJANGO[layer]}/upstream/", params={"delays": "0.5,0.5"})
    assert response.json()["statuses"] == [200, 200]
    took = response.elapsed.total_seconds()
    assert (took < 1.0) == overlapping, f"{layer}: {took:.2f} s for two 0.5 s calls"
