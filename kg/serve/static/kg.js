// kg: progressive enhancement only; every page works without this file.
(function () {
  "use strict";
  // Passages: emphasise every run of the passage named in the address (#translation-en-passage-…).
  function markTarget() {
    document.querySelectorAll("mark.passage.current").forEach(function (m) { m.classList.remove("current"); });
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var runs = document.querySelectorAll('mark.passage[data-passages~="' + id.replace(/"/g, "") + '"]');
    runs.forEach(function (m) { m.classList.add("current"); });
    if (runs.length) runs[0].scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", markTarget);
  document.addEventListener("DOMContentLoaded", markTarget);

  // A static copy (kg site) has no server-side search: search search.json here.
  function staticSearch(index) {
    var box = document.getElementById("static-search");
    var q = norm(new URLSearchParams(location.search).get("q") || "");
    if (!box || !q) return;
    var words = q.split(" ");
    var hits = index.filter(function (e) {
      return e.keys.some(function (k) { return words.every(function (w) { return k.indexOf(w) >= 0; }); });
    });
    var ul = document.createElement("ul"); ul.className = "hits";
    hits.forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = e.href; a.textContent = e.label; li.appendChild(a);
      var k = document.createElement("span"); k.className = "kind"; k.textContent = e.kind; li.appendChild(k);
      ul.appendChild(li);
    });
    box.textContent = hits.length ? "" : "No name matches.";
    box.appendChild(ul);
  }

  // Search box: suggest names in every spelling from /search.json.
  var input = document.querySelector('form.search input[name="q"]');
  var list = document.getElementById("kg-suggest");
  if (!input || !list || !window.fetch) return;
  var index = null;
  if (document.getElementById("static-search")) {
    fetch("/search.json").then(function (r) { return r.json(); }).then(function (d) { index = d; staticSearch(d); })
      .catch(function () {});
  }
  function norm(s) {
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/ё/g, "е")
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  input.addEventListener("input", function () {
    var q = norm(input.value);
    function fill() {
      list.innerHTML = "";
      if (!q) return;
      index.filter(function (e) { return e.keys.some(function (k) { return k.indexOf(q) >= 0; }); })
        .slice(0, 12).forEach(function (e) {
          var spelling = e.spellings.find(function (s) { return norm(s).indexOf(q) >= 0; }) || e.label;
          var o = document.createElement("option"); o.value = spelling; o.label = e.label + " (" + e.kind + ")";
          list.appendChild(o);
        });
    }
    if (index) return fill();
    fetch("/search.json").then(function (r) { return r.json(); }).then(function (d) { index = d; fill(); })
      .catch(function () {});
  });
})();
