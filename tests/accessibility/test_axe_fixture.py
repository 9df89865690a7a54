"""The ``axe`` fixture itself: it finds real violations, reports them usefully, and runs under a strict CSP."""

import pytest

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html><head><title>t</title></head><body><main>
<h1>Tờ khai</h1><input type="text" name="ho_ten">
<p style="color:#aaa;background:#fff">Chữ nhạt</p><a href="/x"></a></main></body></html>"""

FINE = """<!doctype html><html lang="vi"><head><title>Tờ khai</title></head><body><main>
<h1>Tờ khai</h1><label for="ho_ten">Họ và tên</label><input id="ho_ten" type="text" name="ho_ten">
</main></body></html>"""


def serve(page, html, headers=None):
    """Answer http://portal.test/ with the given HTML (and headers) from Playwright itself."""
    page.route("http://portal.test/**", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=html, headers=headers or {}))
    page.goto("http://portal.test/")


def test_violations_fail_the_test_with_rule_target_and_help(axe_page, axe):
    serve(axe_page, BROKEN)
    with pytest.raises(pytest.fail.Exception) as failure:
        axe(axe_page)
    report = str(failure.value)
    for rule in ("html-has-lang", "label", "color-contrast", "link-name"):
        assert f"- {rule} [" in report
    assert 'at "input"' in report
    assert "https://dequeuniversity.com/rules/axe/" in report


def test_a_clean_page_passes_under_a_strict_csp_on_the_plain_page_fixture(page, axe):
    csp = {"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'"}
    serve(page, FINE, csp)
    result = axe(page)
    assert result["violations"] == []
    assert result["testEngine"]["name"] == "axe-core"
    assert {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"} == set(result["toolOptions"]["runOnly"]["values"])
