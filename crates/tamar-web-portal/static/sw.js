// Tamar's service worker: keeps the stylesheet, scripts and icons for offline use, and shows
// the offline page when a page cannot be fetched. Pages themselves are never cached, since
// they may be personal.
// The server names the cache after the static files' contents (see portal/feeds.rs).
const CACHE = "tamar-static-dev";
const STATIC = ["/static/tamar.css", "/static/suggest.js", "/static/pwa.js", "/static/favicon.svg", "/static/icon.svg", "/en/offline", "/tc/offline", "/sc/offline"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(STATIC)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    const lang = ["en", "tc", "sc"].find((l) => url.pathname.startsWith("/" + l + "/")) || "en";
    event.respondWith(fetch(request).catch(() => caches.match("/" + lang + "/offline")));
  }
});
