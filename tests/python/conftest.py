"""A live `tamar demo` server for tests that use real third-party clients."""

import os
import re
import subprocess
import tempfile

import pytest
import requests

DEMO_PASSWORD = "tamar-demo-2026"


@pytest.fixture(scope="session")
def base_url():
    binary = os.environ.get("TAMAR_BIN")
    assert binary, "TAMAR_BIN must name the tamar binary (scripts/test sets it)"
    data = tempfile.mkdtemp(prefix="tamar-py-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAMAR_")}
    env["RUST_LOG"] = "warn"
    server = subprocess.Popen(
        [binary, "demo", "--addr", "127.0.0.1:0", "--data", data],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    url = None
    for line in server.stdout:
        found = re.search(r"serving at (http://[0-9.:]+)/", line)
        if found:
            url = found.group(1)
        if "chan.taiman@example.hk" in line:
            break
    assert url, "tamar demo did not start"
    yield url
    server.terminate()
    server.wait(timeout=20)


def sign_in(base_url, email):
    """Signs in through the HTML form, as a browser would; returns the session cookie."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/en/sign-in")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    reply = browser.post(
        f"{base_url}/en/sign-in",
        data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD},
        allow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    return browser.cookies["tamar_session"]
