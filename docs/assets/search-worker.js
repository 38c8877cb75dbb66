// Tensor Rosetta search worker. It speaks Material for MkDocs' search-worker protocol (SETUP → READY,
// QUERY → RESULT, see material/templates/assets/javascripts/integrations/search/worker/message) so the
// header search box, its keyboard shortcuts, result list and highlighting stay Material's own, but the
// answers come from Pagefind's chunked index. Nothing is downloaded until the reader's first query:
// then Pagefind's script, its WebAssembly and only the index chunks the query's words need.
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
var SITE_BASE = new URL("../", self.location.href);  // this file is <site>/assets/search-worker.js
var MAX_PAGES = 10, MAX_SECTIONS = 3;  // each result costs its page's fragment download
// Words that carry no subject in a reader's question ("how do I … in JAX"). Pagefind returns only pages
// holding every word of a query, so these would shut out the page that answers.
var STOP_WORDS = new Set(("a about an and any are as at be between by can could difference do does for from get " +
  "how i if in into is it its me my of on or should so still than that the their them there this to use used " +
  "using vs versus was what when where which who why will with without would you your").split(" "));
var pagefind = null;
var latestQuery = 0;  // answers to superseded queries are dropped, so results never arrive out of order

function engine() {
  if (!pagefind) {
    pagefind = import(new URL("pagefind/pagefind.js", SITE_BASE).href).then(function (module) {
      return module.options({ baseUrl: SITE_BASE.pathname }).then(function () {
        return module.init();
      }).then(function () { return module; });
    });
  }
  return pagefind;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

// Material resolves result locations against the site's base URL.
function siteLocation(url) {
  var target = new URL(url, SITE_BASE);
  return target.pathname.slice(SITE_BASE.pathname.length) + target.hash;
}

// Words of the query that the page contains: Material turns them into ?h= highlighting on the page.
function matchedTerms(query, content) {
  var text = content.toLowerCase(), terms = {};
  query.toLowerCase().split(/[\s\-,.?!:;"()]+/).forEach(function (word) {
    if (word.length > 2 && text.indexOf(word) !== -1) terms[word] = true;
  });
  return terms;
}

function resultGroup(page, score, query) {
  var terms = matchedTerms(query, page.content || "");
  var title = escapeHtml((page.meta && page.meta.title) || page.url);
  var group = [{ location: siteLocation(page.url), title: title, text: page.excerpt || "", score: score,
                 terms: terms }];
  (page.sub_results || []).filter(function (section) { return section.anchor; })
    .slice(0, MAX_SECTIONS).forEach(function (section, index) {
      group.push({ location: siteLocation(section.url), title: escapeHtml(section.title),
                   text: section.excerpt || "", score: index === 0 ? score : score / 2, terms: terms });
    });
  return group;
}

function subjectWords(query) {
  return query.toLowerCase().split(/[\s,?!;:"()]+/).map(function (word) {
    return word.replace(/^[.'\-]+|[.'\-]+$/g, "");
  }).filter(function (word) { return word && !STOP_WORDS.has(word); });
}

// "np.einsum" or "nn.CrossEntropyLoss": readers qualify an API with their own module alias, which the page
// answering may spell differently (`jnp.einsum`); the name after the alias still finds it.
function withApiNames(words) {
  var terms = words.slice();
  words.forEach(function (word) {
    word.split(/[._]/).forEach(function (part) {
      if (part.length > 3 && part !== word && terms.indexOf(part) === -1) terms.push(part);
    });
  });
  return terms;
}

// Pages holding every subject word get double weight; pages holding some of the words are ranked by the
// sum of their per-word scores weighted by the share of words they hold (an API name counts its parts).
function rankedResults(pf, query) {
  var words = subjectWords(query);
  if (!words.length) words = query.trim().split(/\s+/);
  return pf.search(words.join(" ")).then(function (every) {
    var ranked = new Map(), holdsEvery = new Set();
    every.results.forEach(function (result) {
      ranked.set(result.id, { result: result, score: result.score });
      holdsEvery.add(result.id);
    });
    var terms = withApiNames(words);
    if (terms.length < 2) return ranked;
    return Promise.all(terms.map(function (term) { return pf.search(term); })).then(function (each) {
      var partial = new Map();
      each.forEach(function (found) {
        found.results.forEach(function (result) {
          var entry = partial.get(result.id) || { result: result, sum: 0, words: 0 };
          entry.sum += result.score;
          entry.words += 1;
          partial.set(result.id, entry);
        });
      });
      partial.forEach(function (entry, id) {
        var share = entry.words / terms.length;
        var score = entry.sum * share * share * (holdsEvery.has(id) ? 2 : 1);
        ranked.set(id, { result: (ranked.get(id) || entry).result, score: score });
      });
      return ranked;
    });
  });
}

function search(query) {
  if (!query.trim()) return Promise.resolve({ items: [] });
  return engine().then(function (pf) {
    return rankedResults(pf, query);
  }).then(function (ranked) {
    var top = Array.from(ranked.values()).sort(function (a, b) { return b.score - a.score; }).slice(0, MAX_PAGES);
    return Promise.all(top.map(function (entry) { return entry.result.data(); })).then(function (pages) {
      return { items: pages.map(function (page, i) { return resultGroup(page, top[i].score, query); }) };
    });
  });
}

addEventListener("message", function (event) {
  var message = event.data;
  if (message.type === SETUP) {
    postMessage({ type: READY });
  } else if (message.type === QUERY) {
    var id = ++latestQuery;
    search(message.data).then(function (data) {
      if (id === latestQuery) postMessage({ type: RESULT, data: data });
    }, function (error) {
      console.warn("search failed:", error);
      postMessage({ type: RESULT, data: { items: [] } });
    });
  }
});
