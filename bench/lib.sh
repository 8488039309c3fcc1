# Helpers the benchmark scripts share; sourced after scripts/lib.sh.

# The TOTP code of now for the demo's officers (their key is printed by `tamar demo`).
demo_totp() {
  python3 - <<'PY'
import base64, hmac, struct, time
digest = hmac.new(base64.b32decode("TAMARDEMOSECRETKEYFORTHEOFFICERS"), struct.pack(">Q", int(time.time() // 30)), "sha1").digest()
start = digest[-1] & 15
print("%06d" % ((struct.unpack(">I", digest[start:start + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}

# Writes `$2` subscriptions to the transport topic into the SQLite database `$1`, as Tamar writes
# them (the rows need no account: a message waits in the inbox of the account id).
seed_subscribers_sqlite() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1], timeout=60)
db.executemany("INSERT INTO portal_subscriptions (account_id, target, lang, created_at) VALUES (?, 'topic:transport', 'en', 0)",
               ((str(uuid.uuid4()),) for _ in range(int(sys.argv[2]))))
db.commit()
PY
}
