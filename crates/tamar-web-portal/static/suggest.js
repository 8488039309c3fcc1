// Search-as-you-type: suggestions under any search box marked data-suggest. The form works
// without this script; with it, titles that complete the typed words appear as links.
// Also opens the search page's filters on wide screens, where they sit beside the results
// (on phones they stay closed, so that results come first).
(function () {
  "use strict";
  var filters = document.querySelector("details[data-filters]");
  if (filters && window.matchMedia("(min-width: 48em)").matches) { filters.open = true; }
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var form = input.form;
    var list = form && form.querySelector("[data-suggestions]");
    if (!list) { return; }
    var lang = input.getAttribute("data-suggest");
    var timer = null;
    var last = "";
    list.id = list.id || input.id + "-suggestions";
    input.setAttribute("aria-controls", list.id);
    function clear() { list.innerHTML = ""; list.hidden = true; }
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (timer) { clearTimeout(timer); }
      if (q.length < 2) { clear(); return; }
      timer = setTimeout(function () {
        if (q === last) { return; }
        last = q;
        fetch("/api/v1/search/suggest?lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            clear();
            items.forEach(function (item) {
              var li = document.createElement("li");
              var a = document.createElement("a");
              a.href = item.url;
              a.textContent = item.title;
              li.appendChild(a);
              list.appendChild(li);
            });
            list.hidden = items.length === 0;
          })
          .catch(clear);
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { clear(); }
      if (e.key === "ArrowDown" && !list.hidden) {
        var first = list.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
  });
})();
