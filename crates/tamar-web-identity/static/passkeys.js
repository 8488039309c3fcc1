// Passkeys, where the browser has them. Everything else on Tamar works without JavaScript; a
// passkey cannot, so these buttons appear only when it can run.
(() => {
  if (!window.PublicKeyCredential || !window.fetch) return;
  const fromB64url = (s) => {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer;
  };
  const toB64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const post = async (url, body) => {
    const reply = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
    const data = await reply.json().catch(() => ({}));
    if (!reply.ok) throw new Error(data.message || reply.statusText);
    return data;
  };
  const status = (text) => {
    const box = document.querySelector("[data-passkey-status]");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
  };
  document.querySelectorAll("[data-passkey]").forEach((el) => { el.hidden = false; });

  const register = document.querySelector("[data-passkey-register]");
  if (register) register.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      // A passkey signs in without the password, so the password (and code) come first.
      const field = (name) => (register.elements[name] ? register.elements[name].value : "");
      const proof = { password: field("proof_password"), code: field("proof_code") };
      const { ceremony, options } = await post("/api/v1/me/passkeys/registration", proof);
      const key = options.publicKey;
      key.challenge = fromB64url(key.challenge);
      key.user.id = fromB64url(key.user.id);
      (key.excludeCredentials || []).forEach((c) => { c.id = fromB64url(c.id); });
      const made = await navigator.credentials.create({ publicKey: key });
      await post("/api/v1/me/passkeys", {
        ceremony,
        credential: {
          id: made.id, rawId: toB64url(made.rawId), type: made.type, extensions: {},
          response: { attestationObject: toB64url(made.response.attestationObject), clientDataJSON: toB64url(made.response.clientDataJSON) },
        },
      });
      location.reload();
    } catch (e) { status(e.message); }
  });

  const signIn = document.querySelector("[data-passkey-sign-in]");
  if (signIn) signIn.addEventListener("click", async () => {
    try {
      const { ceremony, options } = await post("/api/v1/passkeys/sign-in/options");
      const key = options.publicKey;
      key.challenge = fromB64url(key.challenge);
      (key.allowCredentials || []).forEach((c) => { c.id = fromB64url(c.id); });
      const got = await navigator.credentials.get({ publicKey: key });
      const r = got.response;
      await post("/api/v1/passkeys/sign-in", {
        ceremony,
        credential: {
          id: got.id, rawId: toB64url(got.rawId), type: got.type, extensions: {},
          response: {
            authenticatorData: toB64url(r.authenticatorData), clientDataJSON: toB64url(r.clientDataJSON),
            signature: toB64url(r.signature), userHandle: r.userHandle ? toB64url(r.userHandle) : null,
          },
        },
      });
      location.href = signIn.dataset.next || "/";
    } catch (e) { status(e.message); }
  });
})();
