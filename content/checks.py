"""Named checks beyond the schema: identity, coverage and references between files.

Each check raises `DataError` naming the file, the key path and the fix.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Iterable

from .errors import DataError, NotebookError, SiteInputError
from .models import Claim, FeatureCategory, Framework, SeedArticle, Topic
from .notebooks import NotebookSource


class FrameworkIds(frozenset):
    """Every framework id (what a key may name); `.required` holds the ids every cell, row and snippet must
    cover: all but frameworks in preview."""

    required: frozenset

    def __new__(cls, frameworks: Iterable[Framework]):
        frameworks = list(frameworks)
        ids = super().__new__(cls, (f.id for f in frameworks))
        ids.required = frozenset(f.id for f in frameworks if not f.preview)
        return ids


def file_name_matches_id(display_path: str, stem: str, item_id: str) -> None:
    if stem != item_id:
        raise DataError(display_path, "id", f"id '{item_id}' differs from the file name '{stem}'",
                        f"rename the file to {item_id}.yml or set `id: {stem}`")


# Ids that would replace a page or an anchor the site already has: `index` names each folder's index
# page (topics/index.md, notebooks/index.md, …); `legend` is the support-level legend's anchor on the matrix.
RESERVED_IDS = {"index": "names the index page of its folder", "legend": "is the anchor of the support-level legend"}


def not_reserved(display_path: str, where: str, item_id: str, error: type[SiteInputError] = DataError) -> None:
    if item_id in RESERVED_IDS:
        raise error(display_path, where, f"'{item_id}' is reserved: it {RESERVED_IDS[item_id]}",
                        f"choose another id (reserved: {', '.join(sorted(RESERVED_IDS))})")


def known_frameworks(display_path: str, references: Iterable[tuple[str, str]], framework_ids: FrameworkIds) -> None:
    """Each (key path, framework id) names a framework of data/frameworks/."""
    for where, framework_id in references:
        if framework_id not in framework_ids:
            raise DataError(display_path, where, f"'{framework_id}' is not a framework",
                            f"use one of {', '.join(sorted(framework_ids))} (data/frameworks/)")


def unique_ids(items: Iterable[tuple[str, object]], ids_of: Callable[[object], list[tuple[str, str]]]) -> None:
    """No id may appear twice, within a file or across files of one kind."""
    seen: dict[str, str] = {}
    for display_path, item in items:
        for where, item_id in ids_of(item):
            if item_id in seen:
                raise DataError(display_path, where, f"duplicate id '{item_id}' (first used in {seen[item_id]})",
                                "give one of them another id")
            seen[item_id] = f"{display_path} {where}"


def _every_framework(display_path: str, where: str, keys: Iterable[str], framework_ids: FrameworkIds,
                     what: str) -> None:
    keys = list(keys)
    for key in keys:
        known_frameworks(display_path, [(f"{where}.{key}", key)], framework_ids)
    for framework_id in sorted(framework_ids.required - set(keys)):
        raise DataError(display_path, f"{where}.{framework_id}", f"{what} for {framework_id} is missing",
                        f"add `{framework_id}:` — every framework is covered")


def vocabulary_term(display_path: str, where: str, term: str, term_ids: set[str], what: str, vocabulary: str) -> None:
    if term not in term_ids:
        raise DataError(display_path, where, f"'{term}' is not {what}", f"use one of {', '.join(sorted(term_ids))} "
                        f"({vocabulary}), or add it there")


def _contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on `colour` (#rrggbb)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def badge_colours(display_path: str, key: str, terms) -> None:
    """Badges print white text on the term's colour: it must reach WCAG AA (4.5:1) for normal text."""
    for i, term in enumerate(terms):
        ratio = _contrast_with_white(term.colour)
        if ratio < 4.5:
            raise DataError(display_path, f"{key}[{i}].colour", f"'{term.colour}' gives white text only "
                            f"{ratio:.1f}:1 contrast", "choose a darker colour (at least 4.5:1 against white)")


def import_lines(display_path: str, lines: list[str]) -> None:
    for i, line in enumerate(lines):
        try:
            statement = ast.parse(line).body
        except SyntaxError as error:
            statement, problem = [], error.msg
        else:
            problem = "is not one import statement"
        if len(statement) != 1 or not isinstance(statement[0], (ast.Import, ast.ImportFrom)):
            raise DataError(display_path, f"imports[{i}]", f"'{line}' {problem}",
                            "write one `import x as y` or `from x import y` per line")


def feature_cells(display_path: str, category: FeatureCategory, framework_ids: FrameworkIds, level_ids: set[str],
                  kind_ids: set[str]) -> None:
    for i, feature in enumerate(category.features):
        if feature.difference is not None:
            vocabulary_term(display_path, f"features[{i}].difference.kind", feature.difference.kind, kind_ids,
                            "a difference kind", "data/difference_kinds.yml")
        where = f"features[{i}].cells"
        _every_framework(display_path, where, feature.cells, framework_ids, "the cell")
        for framework_id, cell in feature.cells.items():
            if cell.level not in level_ids:
                raise DataError(display_path, f"{where}.{framework_id}.level", f"'{cell.level}' is not a support level",
                                f"use one of {', '.join(sorted(level_ids))} (data/support_levels.yml)")
            if cell.level == "deprecated" and cell.deprecation is None:
                raise DataError(display_path, f"{where}.{framework_id}.deprecation",
                                "a deprecated cell does not say since when or what replaces it",
                                "add `deprecation: {since, replacement, source}`")


def topic_references(display_path: str, topic: Topic, framework_ids: FrameworkIds, feature_ids: set[str],
                     notebooks: dict[str, NotebookSource], today: dt.date, level_ids: set[str]) -> None:
    glance = topic.at_a_glance.frameworks
    _every_framework(display_path, "at_a_glance.frameworks", glance, framework_ids, "the at-a-glance row")
    for framework_id, row in glance.items():
        if row.level not in level_ids:
            raise DataError(display_path, f"at_a_glance.frameworks.{framework_id}.level",
                            f"'{row.level}' is not a support level",
                            f"use one of {', '.join(sorted(level_ids))} (data/support_levels.yml)")
    _every_framework(display_path, "positions", topic.positions, framework_ids, "the position")
    _every_framework(display_path, "applies_to", topic.applies_to, framework_ids, "the version")
    for i, entry in enumerate(topic.timeline):
        known_frameworks(display_path, [(f"timeline[{i}].framework", entry.framework)], framework_ids)
    for i, feature_id in enumerate(topic.related_features):
        if feature_id not in feature_ids:
            raise DataError(display_path, f"related_features[{i}]", f"no feature has the id '{feature_id}'",
                            "use an id from data/features/*.yml or remove the entry")
    for i, ref in enumerate(topic.snippets):
        notebook = notebooks.get(ref.notebook)
        if notebook is None:
            raise DataError(display_path, f"snippets[{i}].notebook", f"notebooks/{ref.notebook}.py does not exist",
                            f"use one of {', '.join(sorted(notebooks)) or '(none yet)'}")
        cells = notebook.snippets.get(ref.snippet)
        if cells is None:
            raise DataError(display_path, f"snippets[{i}].snippet",
                            f"no cell in notebooks/{ref.notebook}.py is tagged '{ref.snippet}'",
                            f"use one of {', '.join(sorted(notebook.snippets)) or '(none)'} or tag the cells")
        for framework_id in sorted(framework_ids.required - set(cells)):
            raise DataError(display_path, f"snippets[{i}].snippet",
                            f"snippet '{ref.snippet}' has no {framework_id} cell in notebooks/{ref.notebook}.py",
                            f'tag that cell with ["{framework_id}", "{ref.snippet}"]')
    if topic.last_reviewed > today:
        raise DataError(display_path, "last_reviewed", f"{topic.last_reviewed} is in the future",
                        f"use the date the page was actually reviewed (today is {today})")


def evidence_references(display_path: str, where: str, evidence, feature_ids: set[str], topic_ids: set[str],
                        notebooks: dict[str, NotebookSource], measurement_ids: set[str], today: dt.date) -> None:
    kinds = [k for k in ("source", "feature", "topic", "notebook", "measurement") if getattr(evidence, k)]
    if len(kinds) != 1:
        raise DataError(display_path, where, f"names {len(kinds)} kinds of evidence ({', '.join(kinds) or 'none'})",
                        "give exactly one of source, feature, topic, notebook, measurement per entry")
    known = {"feature": feature_ids, "topic": topic_ids, "notebook": set(notebooks), "measurement": measurement_ids}
    kind = kinds[0]
    if kind in known and getattr(evidence, kind) not in known[kind]:
        raise DataError(display_path, f"{where}.{kind}", f"no {kind} has the id '{getattr(evidence, kind)}'",
                        f"use an existing {kind} id or remove the entry")
    if evidence.date and evidence.date > today:
        raise DataError(display_path, f"{where}.date", f"{evidence.date} is in the future",
                        f"use the date the evidence carries (today is {today})")


def claim_references(display_path: str, claim: Claim, article_ids: set[str], feature_ids: set[str],
                     topic_ids: set[str], notebooks: dict[str, NotebookSource], measurement_ids: set[str],
                     today: dt.date) -> None:
    """A claim names real articles (each once), a real topic, and evidence that exists."""
    seen: set[str] = set()
    for i, article_id in enumerate(claim.made_by):
        if article_id not in article_ids:
            raise DataError(display_path, f"made_by[{i}]", f"no article has the id '{article_id}'",
                            f"use one of {', '.join(sorted(article_ids)) or '(none yet)'} (data/articles/)")
        if article_id in seen:
            raise DataError(display_path, f"made_by[{i}]", f"'{article_id}' is listed twice", "list each article once")
        seen.add(article_id)
    if claim.topic not in topic_ids:
        raise DataError(display_path, "topic", f"no topic has the id '{claim.topic}'",
                        "use an id from data/topics/*.yml")
    for j, evidence in enumerate(claim.evidence):
        evidence_references(display_path, f"evidence[{j}]", evidence, feature_ids, topic_ids, notebooks,
                            measurement_ids, today)


def every_article_audited(articles: Iterable[tuple[str, SeedArticle]], claims: Iterable[tuple[str, Claim]]) -> None:
    cited = {article_id for _, claim in claims for article_id in claim.made_by}
    for display_path, article in articles:
        if article.id not in cited:
            raise DataError(display_path, "id", f"no claim in data/claims/ names '{article.id}' in `made_by`",
                            "add the article's id to `made_by` of the claims it makes, or remove the file")


def reason_references(display_path: str, where: str, reason, feature_ids: set[str], topic_ids: set[str]) -> None:
    if reason.feature and reason.feature not in feature_ids:
        raise DataError(display_path, f"{where}.feature", f"no feature has the id '{reason.feature}'",
                        "use an id from data/features/*.yml")
    if reason.topic and reason.topic not in topic_ids:
        raise DataError(display_path, f"{where}.topic", f"no topic has the id '{reason.topic}'",
                        "use an id from data/topics/*.yml")
    if not (reason.feature or reason.topic):
        raise DataError(display_path, where, "a reason links to neither a feature nor a topic",
                        "add `feature:` or `topic:` so readers can check the reason")


def python_code(display_path: str, where: str, code: str, statements_allowed: bool) -> None:
    """Code in data is compiled when it is loaded, so a syntax error stops the build rather than a test."""
    try:
        compile(code, f"<{display_path}: {where}>", "eval")
        return
    except SyntaxError as error:
        if not statements_allowed:
            raise DataError(display_path, where, f"is not a valid Python expression: {error.msg} "
                            f"(line {error.lineno})", "correct the expression") from None
    try:
        compile(code, f"<{display_path}: {where}>", "exec")
    except SyntaxError as error:
        raise DataError(display_path, where, f"is not valid Python: {error.msg} (line {error.lineno})",
                        "correct the code (an expression, or statements that assign `result`)") from None


def situation_references(display_path: str, situation, framework_ids: FrameworkIds, feature_ids: set[str],
                         topic_ids: set[str], today: dt.date) -> None:
    known_frameworks(display_path, [(f"recommendation[{i}]", f) for i, f in enumerate(situation.recommendation)],
                     framework_ids)
    for i, reason in enumerate(situation.reasons):
        reason_references(display_path, f"reasons[{i}]", reason, feature_ids, topic_ids)
    if situation.last_reviewed > today:
        raise DataError(display_path, "last_reviewed", f"{situation.last_reviewed} is in the future",
                        f"use the date the entry was actually reviewed (today is {today})")


def migration_references(display_path: str, guide, framework_ids: FrameworkIds, rosetta_ids: set[str],
                         notebooks: dict) -> None:
    known_frameworks(display_path, [("source", guide.source), ("target", guide.target)], framework_ids)
    if guide.weights and guide.weights.notebook not in notebooks:
        raise DataError(display_path, "weights.notebook", f"no notebook is named '{guide.weights.notebook}'",
                        "use the name of a file in notebooks/ without .py")
    for i, category_id in enumerate(guide.categories):
        if category_id not in rosetta_ids:
            raise DataError(display_path, f"categories[{i}]", f"no Rosetta category has the id '{category_id}'",
                            "use an id from data/rosetta/*.yml")


def rosetta_categories(rosetta_files, framework_ids: FrameworkIds, kind_ids: set[str]) -> None:
    unique_ids(rosetta_files, lambda c: [(f"rows[{i}].id", r.id) for i, r in enumerate(c.rows)])
    for display_path, category in rosetta_files:
        rosetta_rows(display_path, category, framework_ids, kind_ids)


def snippets_cover_every_framework(notebook: NotebookSource, framework_ids: FrameworkIds) -> None:
    """A snippet becomes one tab per framework: each needs a cell, or the notebook says why not
    (metadata.rosetta.partial_snippets: {snippet: reason})."""
    display_path = f"notebooks/{notebook.path.name}"
    for snippet, cells in notebook.snippets.items():
        missing = sorted(framework_ids.required - set(cells))
        if missing and snippet not in notebook.partial_snippets:
            raise NotebookError(display_path, f"snippet {snippet}",
                                f"has no cell for {', '.join(missing)}",
                                f'tag a cell ["{missing[0]}", "{snippet}"], or say why not in the notebook\'s '
                                "metadata.rosetta.partial_snippets")


def rosetta_rows(display_path: str, category, framework_ids: FrameworkIds, kind_ids: set[str]) -> None:
    for i, row in enumerate(category.rows):
        if row.difference is not None:
            vocabulary_term(display_path, f"rows[{i}].difference.kind", row.difference.kind, kind_ids,
                            "a difference kind", "data/difference_kinds.yml")
        _every_framework(display_path, f"rows[{i}].code", row.code, framework_ids, "the code")
        for framework_id, code in row.code.items():
            python_code(display_path, f"rows[{i}].code.{framework_id}", code, statements_allowed=True)
        for name, expression in row.inputs.items():
            python_code(display_path, f"rows[{i}].inputs.{name}", expression, statements_allowed=False)
        if row.results_differ is not None:
            python_code(display_path, f"rows[{i}].results_differ.check", row.results_differ.check,
                        statements_allowed=False)
        _every_framework(display_path, f"rows[{i}].sources", row.sources, framework_ids, "the source")
        for framework_id in row.closest_idiom:
            known_frameworks(display_path, [(f"rows[{i}].closest_idiom.{framework_id}", framework_id)], framework_ids)


def notebook_order(display_path: str, order: list[str], notebooks: dict[str, NotebookSource]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(order):
        if name not in notebooks:
            raise DataError(display_path, f"notebooks[{i}]", f"notebooks/{name}.py does not exist",
                            f"use one of {', '.join(sorted(notebooks))} or remove the entry")
        if name in seen:
            raise DataError(display_path, f"notebooks[{i}]", f"'{name}' is listed twice", "keep one of the entries")
        seen.add(name)
    for name in sorted(set(notebooks) - seen):
        raise DataError(display_path, "notebooks", f"notebooks/{name}.py is not in the reading order",
                        f"add `- {name}` where a reader should meet it")


def distinct_titles(topics, rosetta, notebooks: dict[str, NotebookSource]) -> None:
    """One subject has a topic, a Rosetta page and a notebook: a reader must tell them apart by name."""
    owner = {topic.title: f"data/topics/{topic.id}.yml" for topic in topics}
    for category in rosetta:
        owner.setdefault(category.label, f"data/rosetta/{category.id}.yml")
    for name, notebook in notebooks.items():
        if notebook.title in owner:
            raise NotebookError(f"notebooks/{name}.py", "first heading",
                                f"'{notebook.title}' is also the title of {owner[notebook.title]}",
                                "give the notebook a title that says what its code does")
        owner[notebook.title] = f"notebooks/{name}.py"
