"""The API documentation works on a closed network: /docs refers only to this server, and the
Swagger UI files it refers to are served from the installed package (ADR 0035)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.e2e.conftest import login

# Every URL a page makes the browser fetch: attributes, and the spec's URL in the script.
REFERENCE = re.compile(r"""(?:src|href)="([^"]*)"|url:\s*'([^']*)'""")


def test_the_docs_page_refers_only_to_this_server_and_each_file_is_served(
    client: TestClient,
) -> None:
    page = client.get("/docs", headers=login(client, "aud"))
    assert page.status_code == 200
    # No absolute or scheme-relative URL anywhere on the page, in attributes or in the script.
    assert not re.search(r"https?:|[\"'(]//", page.text)
    references = [a or b for a, b in REFERENCE.findall(page.text)]
    assert len(references) == 5, references
    for url in references:
        assert url.startswith("/") and not url.startswith("//"), url
    assets = [url for url in references if url.startswith("/docs-assets/")]
    assert sorted(assets) == [
        "/docs-assets/favicon.png",
        "/docs-assets/swagger-ui-bundle.js",
        "/docs-assets/swagger-ui.css",
    ]
    assert sorted(set(references) - set(assets)) == ["/static/docs.css", "/static/docs.js"]
    for url in references:
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) > 1000, url
    assert "SwaggerUIBundle" in client.get("/docs-assets/swagger-ui-bundle.js").text
    spec = client.get("/openapi.json", headers=login(client, "aud"))
    assert spec.json()["info"]["title"] == "Jejak"
