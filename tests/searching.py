"""Searching the built site as a reader does: type into Material's search box in Chromium, read the ranked
pages. Shared by the browser tests, the question-set test and `make benchmark` (both search engines)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

QUESTIONS_FILE = Path(__file__).with_name("search_questions.yml")
TOP = 3
# Pages that mention everything but answer little: never the right first page when a subject has its own.
CATCH_ALL_PAGES = ("claims/", "matrix/")


def load_questions() -> list[dict]:
    return yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))["questions"]


def search(page, query: str) -> list[str]:
    """Site paths ('topics/x/') of the result pages for `query`, best first."""
    # Open search as a reader does (Material's own `at("search", true)`): a click on the toggle fires its `change`
    # event. Setting `checked` fires nothing, and from file:// Material sends the index to its worker only on that
    # event, so a box opened that way would say "Initializing search" for ever.
    page.evaluate("(toggle => toggle.checked || toggle.click())(document.getElementById('__search'))")
    field = page.locator("input.md-search__input")
    meta = "document.querySelector('.md-search-result__meta')?.textContent || ''"
    field.focus()
    field.fill("")
    page.wait_for_timeout(150)
    page.evaluate("document.querySelector('.md-search-result__meta').textContent = ''")
    field.fill(query)
    field.press("End")  # Material listens to key events as well as input events
    # Answered: the count of results, or "no matching documents", replaces the emptied line (not the prompt).
    prompt = "JSON.parse(document.getElementById('__config').textContent).translations['search.result.placeholder']"
    page.wait_for_function(f"() => ({meta}) && ({meta}) !== {prompt}", timeout=15_000)
    page.wait_for_timeout(400)  # a slower answer to an earlier prefix of the query may still arrive
    links = page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")
    base = urlsplit(page.url).path.rsplit("/", 1)[0]  # results are site paths, whatever page we are on
    pages: list[str] = []
    for link in links:  # an item lists its page, then matching sections of it: rank pages, not sections
        path = urlsplit(link).path.lstrip("/")
        if path not in pages:
            pages.append(path)
    return pages


@dataclass(frozen=True)
class Answer:
    question: dict
    top: list[str]

    @property
    def hit(self) -> bool:
        return any(path.startswith(right) for path in self.top[:TOP] for right in self.question["pages"])

    @property
    def catch_all_first(self) -> bool:
        """The first result is the claims audit or the matrix although the subject has its own page."""
        own_page = not any(p in CATCH_ALL_PAGES for p in self.question["pages"])
        return own_page and bool(self.top) and self.top[0] in CATCH_ALL_PAGES


def ask_all(page, questions: list[dict]) -> list[Answer]:
    return [Answer(question, search(page, question["q"])[:TOP]) for question in questions]


def family_rates(answers: list[Answer]) -> dict[str, tuple[int, int]]:
    by_family: dict[str, list[bool]] = defaultdict(list)
    for answer in answers:
        by_family[answer.question["family"]].append(answer.hit)
    return {family: (sum(hits), len(hits)) for family, hits in sorted(by_family.items())}


def report(answers: list[Answer]) -> str:
    hits = sum(a.hit for a in answers)
    lines = [f"{hits} of {len(answers)} questions ({100 * hits / len(answers):.0f} %) have a right page in the top {TOP}"]
    lines += [f"  miss: {a.question['q']!r} ({a.question['family']}) → {a.top}" for a in answers if not a.hit]
    lines += [f"  catch-all first: {a.question['q']!r} → {a.top}" for a in answers if a.catch_all_first]
    return "\n".join(lines)
