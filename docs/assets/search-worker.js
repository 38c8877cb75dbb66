// Tensor Rosetta search worker. It speaks Material for MkDocs' search-worker protocol (SETUP → READY,
// QUERY → RESULT, see material/templates/assets/javascripts/integrations/search/worker/message) so the
// header search box, its keyboard shortcuts, result list and highlighting stay Material's own, but the
// answers come from Pagefind's chunked index. Nothing is downloaded until the reader's first query:
// then Pagefind's script, its WebAssembly and only the index chunks the query's words need.
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
var SITE_BASE = new URL("../", self.location.href);  // this file is <site>/assets/search-worker.js
var MAX_PAGES = 10, MAX_SECTIONS = 3;  // each result costs its page's fragment download
var RERANKED_PAGES = 20;  // the best-scored pages whose titles are read to rank them again
var TITLE_WEIGHT = 2;  // a title holding every subject word in order triples the score
// Words that carry no subject in a reader's question ("how do I … in JAX"). Pagefind returns only pages
// holding every word of a query, so these would shut out the page that answers.
var STOP_WORDS = new Set(("a about actually also an and any are as at be best better between by can could " +
  "difference do does feel feels for from get good how i if in into is it its just like me more most my need of " +
  "on one or really should so still than that the their them there this to use used using vs versus was way " +
  "what when where which who why will with without would you your").split(" "));
// American spellings the pages use, for the British ones readers type ("quantisation", "optimiser").
var AMERICAN = [[/is(ation|ations|e|ed|es|er|ers|ing)$/, "iz$1"], [/yse$/, "yze"], [/our$/, "or"], [/tre$/, "ter"]];
var pagefind = null;
var vocabulary = null;  // word → rank, most frequent first (pagefind/vocabulary.json, written by hooks/search.py)
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

function words() {
  if (!vocabulary) {
    vocabulary = fetch(new URL("pagefind/vocabulary.json", SITE_BASE)).then(function (response) {
      return response.ok ? response.json() : [];
    }).then(function (list) {
      return new Map(list.map(function (word, rank) { return [word, rank]; }));
    }, function () { return new Map(); });
  }
  return vocabulary;
}

// Edit distance with adjacent transpositions ("presicion" → "precision" is 2), given up beyond `limit`.
function distance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  var rows = [];
  for (var i = 0; i <= a.length; i++) {
    rows.push([i]);
    var best = i;
    for (var j = 1; j <= b.length; j++) {
      if (i === 0) { rows[0].push(j); continue; }
      var cost = a[i - 1] === b[j - 1] ? 0 : 1;
      var value = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2][j - 2] + 1);
      rows[i].push(value);
      best = Math.min(best, value);
    }
    if (i > 0 && best > limit) return limit + 1;
  }
  return rows[a.length][b.length];
}

// The word as the pages spell it: the American form when the pages use it more, else for a word no page
// holds, the most frequent indexed word within one edit (two for long words). Names and short words stay.
function spelledAsIndexed(word, known) {
  if (!/^[a-z]{5,}$/.test(word)) return word;
  for (var k = 0; k < AMERICAN.length; k++) {
    var american = word.replace(AMERICAN[k][0], AMERICAN[k][1]);
    if (american !== word && known.has(american) && (!known.has(word) || known.get(american) < known.get(word))) {
      return american;
    }
  }
  if (known.has(word)) return word;
  var limit = word.length >= 8 ? 2 : 1, found = word, foundRank = Infinity;
  known.forEach(function (rank, candidate) {
    if (rank < foundRank && distance(word, candidate, limit) <= limit) { found = candidate; foundRank = rank; }
  });
  return found;
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
function rankedResults(pf, known, query) {
  var words = subjectWords(query).map(function (word) { return spelledAsIndexed(word, known); });
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

// How many of the query's subject words the title holds in the query's order (longest common subsequence;
// words match on their first five letters, so "converting" matches "convert"). "tensorflow to pytorch" then
// prefers the guide titled that way over the one going the other way, which holds the same words.
function orderedTitleMatch(words, title) {
  var stem = function (word) { return word.slice(0, 5); };
  var a = words.map(stem), b = (title.toLowerCase().match(/[a-z0-9]+/g) || []).map(stem);
  var row = new Array(b.length + 1).fill(0);
  for (var i = 0; i < a.length; i++) {
    var previous = 0;
    for (var j = 1; j <= b.length; j++) {
      var above = row[j];
      row[j] = a[i] === b[j - 1] ? previous + 1 : Math.max(row[j], row[j - 1]);
      previous = above;
    }
  }
  return words.length ? row[b.length] / words.length : 0;
}

function search(query) {
  if (!query.trim()) return Promise.resolve({ items: [] });
  var subject = [];
  return Promise.all([engine(), words()]).then(function (both) {
    subject = subjectWords(query).map(function (word) { return spelledAsIndexed(word, both[1]); });
    return rankedResults(both[0], both[1], query);
  }).then(function (ranked) {
    var candidates = Array.from(ranked.values()).sort(function (a, b) { return b.score - a.score; })
      .slice(0, RERANKED_PAGES);
    return Promise.all(candidates.map(function (entry) { return entry.result.data(); })).then(function (pages) {
      var scored = pages.map(function (page, i) {
        var title = (page.meta && page.meta.title) || "";
        return { page: page, score: candidates[i].score * (1 + TITLE_WEIGHT * orderedTitleMatch(subject, title)) };
      }).sort(function (a, b) { return b.score - a.score; }).slice(0, MAX_PAGES);
      return { items: scored.map(function (entry) { return resultGroup(entry.page, entry.score, query); }) };
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
