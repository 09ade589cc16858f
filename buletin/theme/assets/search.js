// Search over the Pagefind index: loads only the chunks a query needs. No other host is contacted.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = new URL(box.getAttribute("data-bundle"), document.baseURI);
  var root = new URL(box.getAttribute("data-root"), document.baseURI);
  var input = box.querySelector("input");
  var list = box.querySelector("ol");
  var status = box.querySelector("[role=status]");
  var words = JSON.parse(box.getAttribute("data-words"));
  box.hidden = false;
  var loading = null; // one load, however fast the reader types
  var latest = 0;

  function link(url) { return new URL(url.replace(/^\//, ""), root).href; }

  function show(results, query) {
    list.textContent = "";
    results.forEach(function (r) {
      var item = document.createElement("li");
      var a = document.createElement("a");
      a.href = link(r.url);
      a.textContent = (r.meta && r.meta.title) || r.url;
      var p = document.createElement("p");
      p.innerHTML = r.excerpt; // Pagefind escapes the text and marks the words with <mark>
      item.appendChild(a);
      item.appendChild(p);
      list.appendChild(item);
    });
    status.textContent = query ? words.found.replace("{n}", results.length).replace("{q}", query) : "";
  }

  // The index is in shards (one per year of editions, and one for the other pages): merge them all.
  async function load() {
    var module = await import(new URL("pagefind.js", bundle).href);
    await module.options({ baseUrl: "/" });
    var shards = await (await fetch(new URL("shards.json", bundle))).json();
    await Promise.all(shards.map(function (s) { return module.mergeIndex(new URL(s, bundle).href, { baseUrl: "/" }); }));
    return module;
  }

  async function run() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) { show([], ""); return; }
    loading = loading || load();
    var pagefind = await loading;
    var search = await pagefind.debouncedSearch(query);
    if (!search || ticket !== latest) return;
    var results = await Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    if (ticket === latest) show(results, query);
  }

  input.addEventListener("input", function () { run().catch(function () { status.textContent = words.failed; }); });
  box.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(); }
})();
