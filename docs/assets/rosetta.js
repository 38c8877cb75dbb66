// Tensor Rosetta page behaviour. Everything here enhances pages that read fully without JavaScript.
(function () {
  // Material wraps each code block's copy button in a <nav>; several unnamed navs on one page are
  // indistinguishable landmarks to screen readers (axe: landmark-unique). Name each one after its block.
  function nameCodeNavs(root) {
    root.querySelectorAll(".md-code__nav:not([aria-label])").forEach(function (nav) {
      var block = nav.closest("[id^='__code_']");
      var number = block ? Number(block.id.replace("__code_", "")) + 1 : "";
      nav.setAttribute("aria-label", "Code block " + number + " actions");
    });
  }
  new MutationObserver(function () { nameCodeNavs(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  nameCodeNavs(document);

  // The framework the reader last chose in a tab group (Material remembers tab labels, newest first).
  function chosenFramework(table) {
    var names = {};
    table.querySelectorAll("thead th[data-framework]").forEach(function (th) {
      names[th.textContent.trim()] = th.getAttribute("data-framework");
    });
    var tabs = typeof __md_get === "function" ? __md_get("__tabs") : null;
    if (!Array.isArray(tabs)) return "";
    for (var i = 0; i < tabs.length; i++) if (names[tabs[i]]) return names[tabs[i]];
    return "";
  }

  // Put one framework's column first, keeping the others in their data order.
  function orderColumns(table, first) {
    table.querySelectorAll("tr").forEach(function (row) {
      var cells = Array.prototype.slice.call(row.querySelectorAll(":scope > [data-framework]"));
      if (!cells.length) return;
      cells.sort(function (a, b) { return (a.dataset.order || 0) - (b.dataset.order || 0); });
      cells.forEach(function (cell, index) { if (!cell.dataset.order) cell.dataset.order = String(index + 1); });
      cells.sort(function (a, b) {
        var rankA = a.getAttribute("data-framework") === first ? 0 : Number(a.dataset.order);
        var rankB = b.getAttribute("data-framework") === first ? 0 : Number(b.dataset.order);
        return rankA - rankB;
      });
      cells.forEach(function (cell) { row.appendChild(cell); });
    });
  }

  function setUpMatrix() {
    var tables = document.querySelectorAll("table.rosetta-matrix");
    if (!tables.length) return;
    // Columns arrive in data order; moving every cell of a large table costs a full style and layout pass,
    // so they move only when the reader's choice puts another framework first.
    var ordered = "";
    function putFirst(first) {
      if (first === ordered) return;
      tables.forEach(function (table) { orderColumns(table, first); });
      ordered = first;
    }
    putFirst(chosenFramework(tables[0]));
    var form = document.querySelector("form.rosetta-matrix-controls");
    if (!form) return;
    function apply() {
      var category = form.elements.category.value;
      var level = form.elements.level.value;
      var differencesOnly = form.elements.differences.checked;
      putFirst(form.elements.first.value || chosenFramework(tables[0]));
      var shown = 0, total = 0;
      tables.forEach(function (table) {
        var visible = 0;
        table.querySelectorAll("tbody tr").forEach(function (row) {
          total += 1;
          var show = (!category || row.dataset.category === category)
            && (!level || (" " + row.dataset.levels + " ").indexOf(" " + level + " ") >= 0)
            && (!differencesOnly || row.dataset.trap === "true");  // trap: see data/difference_kinds.yml
          row.hidden = !show;
          if (show) { visible += 1; shown += 1; }
        });
        // Hide a category's heading, description and table together when none of its rows remain.
        var wrap = table.closest(".rosetta-table-wrap");
        wrap.hidden = visible === 0;
        for (var node = wrap.previousElementSibling; node; node = node.previousElementSibling) {
          node.hidden = visible === 0;
          if (node.tagName === "H2") break;
        }
      });
      form.elements.shown.value = shown + " of " + total + " features shown";
    }
    form.addEventListener("change", apply);
    apply();
  }

  // The claims audit: a claim's entry is a collapsed <details>; following a link to it opens it.
  function openClaim(id) {
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") target.open = true;
  }

  function setUpClaims() {
    openClaim(decodeURIComponent(location.hash.slice(1)));
    var table = document.querySelector("table.rosetta-claims");
    var form = document.querySelector("form.rosetta-claims-controls");
    if (!table || !form) return;
    table.addEventListener("click", function (event) {
      var link = event.target.closest("a[href*='#claim-']");
      if (link) openClaim(decodeURIComponent(link.hash.slice(1)));
    });
    var rows = table.querySelectorAll("tbody tr");
    var entries = document.querySelectorAll("details.rosetta-claim");
    function apply() {
      var verdict = form.elements.verdict.value;
      var article = form.elements.article.value;
      function matches(node) {
        return (!verdict || node.dataset.verdict === verdict)
          && (!article || (" " + node.dataset.articles + " ").indexOf(" " + article + " ") >= 0);
      }
      var shown = 0;
      rows.forEach(function (row) { row.hidden = !matches(row); if (!row.hidden) shown += 1; });
      entries.forEach(function (entry) { entry.hidden = !matches(entry); });
      form.elements.shown.value = shown + " of " + rows.length + " claims shown";
    }
    form.addEventListener("change", apply);
    apply();
  }

  window.addEventListener("hashchange", function () { openClaim(decodeURIComponent(location.hash.slice(1))); });

  function setUpPage() {
    setUpMatrix();
    setUpClaims();
  }

  if (typeof document$ !== "undefined") document$.subscribe(setUpPage);  // instant navigation
  else document.addEventListener("DOMContentLoaded", setUpPage);
})();
