"""Mail over real SMTP: a `tamar demo` configured with an SMTP relay (aiosmtpd, a real SMTP
server from PyPI) sends the email-verification link of a new registration, and a
subscription update in the subscriber's language when a department publishes news."""

import email
import email.policy
import os
import re
import socket
import tempfile
import time

import pytest
import requests
from aiosmtpd.controller import Controller

from conftest import sign_in, start_tamar


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def wait_for(self, to, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for message in self.messages:
                if to in message["To"]:
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no mail to {to}; got {[m['To'] for m in self.messages]}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture(scope="module")
def tamar_with_smtp(smtp_server):
    port, inbox = smtp_server
    data = tempfile.mkdtemp(prefix="tamar-smtp-")
    config = os.path.join(data, "tamar.toml")
    with open(config, "w") as f:
        f.write(f'mail_from = "GovHK <no-reply@tamar.example>"\n[mail]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n')
    server, url = start_tamar("--config", config, data=data)
    yield url, inbox
    server.terminate()
    server.wait(timeout=20)


def form_token(session, url):
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', session.get(url).text).group(1)


def test_registration_link_arrives_over_smtp(tamar_with_smtp):
    base, inbox = tamar_with_smtp
    browser = requests.Session()
    token = form_token(browser, f"{base}/tc/register")
    reply = browser.post(f"{base}/tc/register", data={
        "csrf_token": token, "name_en": "LAM Siu-fong", "name_zh": "林小芳", "email": "lam.siufong@example.hk",
        "password": "a very long passphrase for tamar",
    })
    assert reply.status_code == 200 and "error-summary" not in reply.text, reply.text
    assert "lam.siufong@example.hk" in reply.text, "the page says where the link went"
    message = inbox.wait_for("lam.siufong@example.hk")
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"(http://\S+/verify-email\?token=\S+)", body).group(1)
    page = browser.get(link)
    assert page.status_code == 200


def test_subscription_update_arrives_over_smtp_in_the_subscribers_language(tamar_with_smtp):
    base, inbox = tamar_with_smtp
    citizen = requests.Session()
    citizen.cookies.set("tamar_session", sign_in(base, "chan.taiman@example.hk"))
    token = form_token(citizen, f"{base}/sc/account/subscriptions")
    reply = citizen.post(f"{base}/sc/account/subscriptions", data={"csrf_token": token, "target": "topic:transport", "lang": "sc"}, allow_redirects=False)
    assert reply.status_code == 303

    editor = requests.Session()
    editor.cookies.set("tamar_session", sign_in(base, "cheung.waiman@td.gov.hk"))
    token = form_token(editor, f"{base}/en/office/content/new?kind=news")
    reply = editor.post(f"{base}/en/office/content/new", data={
        "csrf_token": token, "kind": "news", "slug": "tsing-ma-bridge-lane-closure",
        "title_en": "Lane closure on Tsing Ma Bridge", "title_tc": "青馬大橋封閉行車線",
        "summary_en": "One lane closes on Sunday night.", "summary_tc": "星期日晚上封閉一條行車線。",
        "body_en": "Drivers should allow extra time.", "body_tc": "駕駛人士應預留更多時間。",
        "topic_transport": "on", "audience_residents": "on",
    }, allow_redirects=False)
    assert reply.status_code == 303, reply.text
    item = reply.headers["location"]
    reply = editor.post(f"{base}{item}/submit", data={"csrf_token": token}, allow_redirects=False)
    assert reply.status_code == 303

    reviewer = requests.Session()
    reviewer.cookies.set("tamar_session", sign_in(base, "ho.meiling@td.gov.hk"))
    token = form_token(reviewer, f"{base}{item}")
    reply = reviewer.post(f"{base}{item}/approve", data={"csrf_token": token, "publish_at": ""}, allow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].endswith("done=published")

    message = inbox.wait_for("chan.taiman@example.hk")
    assert "青马大桥封闭行车线" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "运输署" in body and f"{base}/sc/news/tsing-ma-bridge-lane-closure" in body
