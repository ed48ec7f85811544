import pytest
from tests.e2e.conftest import login
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
def test_dbg(page, live_server, tree, personas):
    page.on("console", lambda m: print("CONSOLE", m.type, m.text))
    page.on("pageerror", lambda e: print("PAGEERROR", e))
    page.on("response", lambda r: print("RESP", r.status, r.url))
    login(page, live_server.url, "secretary_a")
    page.wait_for_timeout(2000)
    print(page.locator("#org-tree").inner_html())
    print(page.evaluate("typeof htmx"), page.evaluate("typeof echarts"))
