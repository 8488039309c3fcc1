"""Nothing acknowledged is lost: the server is killed (SIGKILL, no chance to flush anything)
while officers' logged writes are in flight. After a restart every write that was answered
202 is in the database together with its log entry, and `tamar verify-log` passes. On SQLite
and on PostgreSQL."""

import os
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests

from conftest import sign_in, start_tamar

OFFICER = "lee.kayan@dh.gov.hk"
CITIZEN = "chan.taiman@example.hk"
WRITERS = 8
ACKNOWLEDGED_BEFORE_KILL = 400


def message(n):
    return {
        "to_email": CITIZEN,
        "kind": "message",
        "subject": {"en": f"Notice {n}", "tc": f"通知 {n}"},
        "body": {"en": "Your appointment is confirmed.", "tc": "你的預約已確認。"},
    }


def write_until_killed(data, env):
    """Runs writers against a fresh demo until the server is killed; returns the ids of the
    messages that were acknowledged."""
    server, url = start_tamar(data=data, env=env)
    cookie = sign_in(url, OFFICER)
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()

    def writer(worker):
        session = requests.Session()
        session.cookies.set("tamar_session", cookie)
        n = 0
        while not stop.is_set():
            n += 1
            try:
                reply = session.post(f"{url}/api/v1/office/messages", json=message(f"{worker}-{n}"), timeout=10)
            except requests.RequestException:
                return
            if reply.status_code == 202:
                with lock:
                    acknowledged.append(reply.json()["id"])
            else:
                assert reply.status_code == 503, reply.text

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    deadline = time.time() + 60
    while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and time.time() < deadline:
        time.sleep(0.01)
    server.kill()
    server.wait(timeout=20)
    stop.set()
    for t in threads:
        t.join(timeout=20)
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL, "the writers made too little progress"
    return list(acknowledged)


def restart_and_verify(data, env):
    """Starts the node again on the same data (it recovers and sequences what was queued),
    stops it cleanly, and checks the whole log offline."""
    server, _ = start_tamar(data=data, env=env)
    server.terminate()
    server.wait(timeout=30)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("TAMAR_")}
    child_env.update(env)
    checked = subprocess.run([os.environ["TAMAR_BIN"], "verify-log", "--data", data], env=child_env,
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "The log is intact" in checked.stdout, checked.stdout


def check_kept(acknowledged, rows):
    messages = {m for (m,) in rows("SELECT id FROM portal_messages")}
    logged = {o.removeprefix("message:") for (o,) in rows("SELECT object FROM ledger_entries WHERE action = 'portal.inbox.send'")}
    lost = [m for m in acknowledged if m not in messages]
    unlogged = [m for m in acknowledged if m not in logged]
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged messages were lost, e.g. {lost[:3]}"
    assert not unlogged, f"{len(unlogged)} acknowledged messages have no log entry, e.g. {unlogged[:3]}"


def test_kill_during_writes_loses_nothing_on_sqlite():
    data = tempfile.mkdtemp(prefix="tamar-kill-")
    acknowledged = write_until_killed(data, {})
    restart_and_verify(data, {})
    db = sqlite3.connect(os.path.join(data, "tamar.db"))
    check_kept(acknowledged, lambda sql: db.execute(sql).fetchall())


def test_kill_during_writes_loses_nothing_on_postgres():
    base = os.environ.get("TAMAR_TEST_DATABASE_URL")
    if not base:
        pytest.skip("TAMAR_TEST_DATABASE_URL is not set")
    name = f"tamar_t_kill_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", base, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    url = base.rsplit("/", 1)[0] + "/" + name
    env = {"TAMAR_DATABASE_URL": url}
    try:
        data = tempfile.mkdtemp(prefix="tamar-kill-")
        acknowledged = write_until_killed(data, env)
        restart_and_verify(data, env)

        def rows(sql):
            out = subprocess.run(["psql", url, "-Atqc", sql], check=True, capture_output=True, text=True).stdout
            return [(line,) for line in out.splitlines() if line]

        check_kept(acknowledged, rows)
    finally:
        subprocess.run(["psql", base, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False)
