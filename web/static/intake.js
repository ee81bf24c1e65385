// Progressive enhancement only: every page works without this script.
// 1. The search page searches as you type: it fetches the same page's results region and
//    swaps it in (the region is aria-live="polite", so screen readers hear the new count).
// 2. The submission form lists similar published submissions under the title while it is typed.
(function () {
  "use strict";

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  function liveSearch(form) {
    var region = document.getElementById("search-results");
    if (!region || !window.fetch || !window.URLSearchParams) return;
    var pending = null;
    var run = debounce(function () {
      var params = new URLSearchParams(new FormData(form));
      params.delete("page");
      var url = form.getAttribute("action") + "?" + params.toString();
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      fetch(url, {
        headers: { "X-Intake-Fragment": "results" },
        credentials: "same-origin",
        signal: pending ? pending.signal : undefined
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      }).then(function (html) {
        region.innerHTML = html;  // the server's own escaped template output
        window.history.replaceState(null, "", url);
      }).catch(function () { /* the form still submits normally */ });
    }, 250);
    form.addEventListener("input", function (event) {
      if (event.target && event.target.type !== "date") run();
    });
    form.addEventListener("change", run);
  }

  function similarTitles(box) {
    var input = document.getElementById(box.getAttribute("data-similar-for"));
    if (!input || !window.fetch) return;
    var list = box.querySelector("ul");
    var pending = null;
    var lookup = debounce(function () {
      var title = input.value.trim();
      if (title.length < 4) { box.hidden = true; return; }
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      var url = box.getAttribute("data-similar-url") + "?title=" + encodeURIComponent(title);
      fetch(url, { signal: pending ? pending.signal : undefined }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        list.textContent = "";
        (data.results || []).forEach(function (item) {
          var li = document.createElement("li");
          var link = document.createElement("a");
          link.href = item.url;
          link.textContent = item.title;
          link.target = "_blank";
          link.rel = "noopener";
          li.appendChild(link);
          li.appendChild(document.createTextNode(" (" + item.trackingCode + ")"));
          list.appendChild(li);
        });
        box.hidden = list.children.length === 0;
      }).catch(function () { /* nothing shown */ });
    }, 400);
    input.addEventListener("input", lookup);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-live-search]");
    if (form) liveSearch(form);
    var similar = document.querySelector("[data-similar-for]");
    if (similar) similarTitles(similar);
  });
})();
