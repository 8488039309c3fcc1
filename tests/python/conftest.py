"""A live `tamar demo` server for tests that use real third-party clients."""

import base64
import hmac
import os
import re
import struct
import time
import subprocess
import tempfile

import pytest
import requests

DEMO_PASSWORD = "tamar-demo-2026"
DEMO_TOTP_KEY = "TAMARDEMOSECRETKEYFORTHEOFFICERS"


def totp(key, offset=0):
    """RFC 6238, as an authenticator app computes it."""
    counter = int(time.time() // 30) + offset
    digest = hmac.new(base64.b32decode(key), struct.pack(">Q", counter), "sha1").digest()
    start = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[start:start + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def start_tamar(*extra, data=None, env=None):
    """Starts `tamar demo` on a free port with its own data folder (and `env`'s settings, such
    as `TAMAR_DATABASE_URL`); returns the process and its address once it serves."""
    binary = os.environ.get("TAMAR_BIN")
    assert binary, "TAMAR_BIN must name the tamar binary (scripts/test sets it)"
    data = data or tempfile.mkdtemp(prefix="tamar-py-")
    settings = env or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAMAR_")}
    env.update(settings)
    env["RUST_LOG"] = "warn"
    server = subprocess.Popen(
        [binary, "demo", "--addr", "127.0.0.1:0", "--data", data, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    url = None
    for line in server.stdout:
        found = re.search(r"serving at (http://[^/ ]+)/", line)
        if found:
            url = found.group(1)
        if "authenticator app" in line:
            break
    assert url, "tamar demo did not start"
    # Ready once its search index has caught up with the catalogue.
    for _ in range(300):
        try:
            if requests.get(f"{url}/readyz", timeout=5).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    else:
        raise AssertionError("tamar demo never became ready")
    return server, url


@pytest.fixture(scope="session")
def base_url():
    server, url = start_tamar()
    yield url
    server.terminate()
    server.wait(timeout=20)


_sessions = {}


def sign_in(base_url, email):
    """Signs in through the HTML form, as a browser would; returns the session cookie. Each
    TOTP code works once, so a session is made once per person and reused."""
    if (base_url, email) in _sessions:
        return _sessions[(base_url, email)]
    browser = requests.Session()
    page = browser.get(f"{base_url}/en/sign-in")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    reply = browser.post(
        f"{base_url}/en/sign-in",
        data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD},
        allow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    if reply.headers["location"].startswith("/en/sign-in/code"):
        reply = browser.post(
            f"{base_url}/en/sign-in/code",
            data={"csrf_token": token, "code": totp(DEMO_TOTP_KEY)},
            allow_redirects=False,
        )
        assert reply.status_code == 303, reply.text
    _sessions[(base_url, email)] = browser.cookies["tamar_session"]
    return _sessions[(base_url, email)]
