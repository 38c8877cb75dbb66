"""Load data/ and the notebook sources once, validate them, and return one `Site` object.

Every failure raises `DataError` or `NotebookError` whose message is one line:
`data/features/autodiff.yml: features[2].cells.jax.level: 'builtin' is not a support level — fix: …`
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from . import checks, releases
from .errors import DataError, key_path
from .measurements import BenchmarkRun
from .models import (Claim, ClaimVerdicts, DifferenceKinds, FeatureCategory, Framework, MigrationGuide,
                     NotebookOrder, RosettaCategory, SeedArticle, Situation, SupportLevels, Tool, Topic)
from .notebooks import NotebookSource, read_notebook_source

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from, validated."""

    frameworks: tuple[Framework, ...]  # in column order
    levels: SupportLevels
    difference_kinds: DifferenceKinds
    verdicts: ClaimVerdicts
    categories: tuple[FeatureCategory, ...]  # in page order
    topics: tuple[Topic, ...]  # in nav order
    notebooks: dict[str, NotebookSource]
    articles: tuple[SeedArticle, ...] = ()  # the seed articles the claims audit checks, in page order
    claims: tuple[Claim, ...] = ()  # one per distinct claim, in topic order
    situations: tuple[Situation, ...] = ()
    rosetta: tuple[RosettaCategory, ...] = ()
    migrations: tuple[MigrationGuide, ...] = ()
    benchmarks: tuple[BenchmarkRun, ...] = ()  # full runs first, oldest to newest
    tools: tuple[Tool, ...] = ()  # pinned packages beside the frameworks, by distribution name

    def framework(self, framework_id: str) -> Framework:
        return next(f for f in self.frameworks if f.id == framework_id)

    def feature(self, feature_id: str):
        for category in self.categories:
            for feature in category.features:
                if feature.id == feature_id:
                    return category, feature
        raise KeyError(feature_id)

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)


def _fix_for(error: dict) -> str:
    """How to repair one pydantic error, in an editor's words."""
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return f"add `{error['loc'][-1]}` (data/schema/ lists every field)"
    if kind == "extra_forbidden":
        return "remove the key or correct its spelling (data/schema/ lists every field)"
    if kind == "string_type" and isinstance(value, (int, float, bool)):
        return f"quote the value so YAML keeps it as text: \"{value}\""
    if kind.startswith("date"):
        return "write the date as YYYY-MM-DD"
    if kind == "string_pattern_mismatch":
        return "use the documented form (lower-case-hyphenated ids, versions like \"2.1\")"
    if kind == "too_short":
        needed = error.get("ctx", {}).get("min_length", 1)
        return f"give at least {needed} {'entry' if needed == 1 else 'entries'} (data/README.md lists the minimums)"
    if kind == "string_too_long":
        return f"shorten it to {error.get('ctx', {}).get('max_length')} characters or fewer"
    return "compare the value with its field in data/schema/"


def parse_model(model: type[Model], raw: object, display_path: str) -> Model:
    try:
        return model.model_validate(raw)
    except ValidationError as validation:
        first = validation.errors(include_url=False)[0]
        message = first["msg"].removeprefix("Value error, ")
        fix = _fix_for(first)
        if first["type"] == "value_error" and " — " in message:
            # Our own validators write "problem — fix".
            message, fix = message.split(" — ", 1)
        elif "input" in first and first["type"] != "missing":
            message = f"{message} (got {first['input']!r})"
        raise DataError(display_path, key_path(first["loc"]), message, fix) from None


def read_yaml(path: Path, root: Path) -> object:
    display_path = path.relative_to(root).as_posix()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(whole file)"
        problem = getattr(error, "problem", None) or "is not valid YAML"
        raise DataError(display_path, where, f"YAML syntax error: {problem}",
                        "check indentation and quoting at that spot (quote text containing ': ')") from None
    if not isinstance(raw, dict):
        raise DataError(display_path, "(top level)", "is not a mapping of keys to values",
                        "start the file with `id: <file name>`")
    return raw


def _load_folder(root: Path, folder: str, model: type[Model], required: bool = True) -> list[tuple[str, Model]]:
    loaded = []
    for path in sorted((root / folder).glob("*.yml")):
        display_path = path.relative_to(root).as_posix()
        item = parse_model(model, read_yaml(path, root), display_path)
        checks.file_name_matches_id(display_path, path.stem, item.id)
        loaded.append((display_path, item))
    if not loaded and required:
        raise DataError(folder, "", "holds no .yml files", f"add at least one {model.__name__} file")
    return loaded


def load_site(root: Path, today: dt.date | None = None) -> Site:
    """Read data/ and notebooks/ under `root`; raise on the first problem found."""
    root = Path(root)
    today = today or dt.date.today()

    frameworks = load_frameworks(root)
    framework_ids = checks.FrameworkIds(frameworks)
    tools = _load_folder(root, "data/tools", Tool, required=False)
    for display_path, tool in tools:
        releases.check_history(display_path, tool.releases)
        if tool.framework is not None:
            checks.known_framework(display_path, "framework", tool.framework, framework_ids)

    levels = _load_vocabulary(root, "data/support_levels.yml", SupportLevels, "levels")
    level_ids = {level.id for level in levels.levels}
    difference_kinds = _load_vocabulary(root, "data/difference_kinds.yml", DifferenceKinds, "kinds")
    kind_ids = {kind.id for kind in difference_kinds.kinds}
    verdicts = _load_vocabulary(root, "data/claim_verdicts.yml", ClaimVerdicts, "verdicts")

    categories = _load_folder(root, "data/features", FeatureCategory)
    checks.unique_ids(categories, lambda c: [(f"features[{i}].id", f.id) for i, f in enumerate(c.features)])
    for display_path, category in categories:
        checks.feature_cells(display_path, category, framework_ids, level_ids, kind_ids)
    feature_ids = {f.id for _, c in categories for f in c.features}

    notebooks = {
        path.stem: read_notebook_source(path, root, framework_ids)
        for path in sorted((root / "notebooks").glob("*.py"))
    }
    order_path = "data/notebook_order.yml"
    order = parse_model(NotebookOrder, read_yaml(root / order_path, root), order_path).notebooks
    checks.notebook_order(order_path, order, notebooks)
    notebooks = {name: notebooks[name] for name in order}  # reading order

    topics = _load_folder(root, "data/topics", Topic)
    for display_path, topic in topics:
        checks.topic_references(display_path, topic, framework_ids, feature_ids, notebooks, today, level_ids)

    topic_ids = {t.id for _, t in topics}
    benchmarks = _load_folder(root, "data/benchmarks", BenchmarkRun, required=False)
    for display_path, run in benchmarks:
        for i, timing in enumerate(run.timings):
            if timing.framework not in framework_ids:
                raise DataError(display_path, f"timings[{i}].framework", f"'{timing.framework}' is not a framework",
                                "regenerate the file with `make measure`")
    # A measurement is one chart of a run: evidence cites it as <run id>-<model>-<task>.
    measurement_ids = {f"{run.id}-{t.model}-{t.task}" for _, run in benchmarks for t in run.timings}
    articles = _load_folder(root, "data/articles", SeedArticle, required=False)
    checks.unique_ids(articles, lambda a: [("seed_file", a.seed_file)])
    claims = _load_folder(root, "data/claims", Claim, required=False)
    for display_path, claim in claims:
        checks.claim_references(display_path, claim, {a.id for _, a in articles}, feature_ids, topic_ids, notebooks,
                                measurement_ids, today)
        checks.vocabulary_term(display_path, "verdict", claim.verdict, {v.id for v in verdicts.verdicts},
                               "a verdict", "data/claim_verdicts.yml")
    checks.every_article_audited(articles, claims)
    topic_order = {t.id: (t.order, t.id) for _, t in topics}

    situations = _load_folder(root, "data/situations", Situation, required=False)
    for display_path, situation in situations:
        for i, framework_id in enumerate(situation.recommendation):
            if framework_id not in framework_ids:
                raise DataError(display_path, f"recommendation[{i}]", f"'{framework_id}' is not a framework",
                                f"use one of {', '.join(sorted(framework_ids))}")
        for i, reason in enumerate(situation.reasons):
            checks.reason_references(display_path, f"reasons[{i}]", reason, feature_ids, topic_ids)
        if situation.last_reviewed > today:
            raise DataError(display_path, "last_reviewed", f"{situation.last_reviewed} is in the future",
                            f"use the date the entry was actually reviewed (today is {today})")

    rosetta = load_rosetta(root, framework_ids, kind_ids)
    rosetta_ids = {c.id for c in rosetta}
    migrations = _load_folder(root, "data/migrations", MigrationGuide, required=False)
    for display_path, guide in migrations:
        for key in ("source", "target"):
            if getattr(guide, key) not in framework_ids:
                raise DataError(display_path, key, f"'{getattr(guide, key)}' is not a framework",
                                f"use one of {', '.join(sorted(framework_ids))}")
        if guide.weights and guide.weights.notebook not in notebooks:
            raise DataError(display_path, "weights.notebook", f"no notebook is named '{guide.weights.notebook}'",
                            "use the name of a file in notebooks/ without .py")
        for i, category_id in enumerate(guide.categories):
            if category_id not in rosetta_ids:
                raise DataError(display_path, f"categories[{i}]", f"no Rosetta category has the id '{category_id}'",
                                "use an id from data/rosetta/*.yml")

    checks.distinct_titles([t for _, t in topics], rosetta, notebooks)
    return Site(
        frameworks=frameworks,
        levels=levels,
        difference_kinds=difference_kinds,
        verdicts=verdicts,
        categories=tuple(sorted((c for _, c in categories), key=lambda c: (c.order, c.id))),
        topics=tuple(sorted((t for _, t in topics), key=lambda t: (t.order, t.id))),
        notebooks=notebooks,
        articles=tuple(sorted((a for _, a in articles), key=lambda a: (a.order, a.id))),
        claims=tuple(sorted((c for _, c in claims), key=lambda c: (topic_order[c.topic], c.id))),
        situations=tuple(sorted((s for _, s in situations), key=lambda s: (s.order, s.id))),
        rosetta=rosetta,
        migrations=tuple(sorted((g for _, g in migrations), key=lambda g: (g.order, g.id))),
        benchmarks=tuple(sorted((run for _, run in benchmarks), key=lambda run: (run.mode != "full", run.id))),
        tools=tuple(sorted((t for _, t in tools), key=lambda t: t.id)),
    )


def load_frameworks(root: Path) -> tuple[Framework, ...]:
    """data/frameworks/ on its own, in column order (the Rosetta tests and the benchmark harness need only this)."""
    frameworks = _load_folder(Path(root), "data/frameworks", Framework)
    checks.unique_ids(frameworks, lambda item: [("id", item.id)])
    for display_path, framework in frameworks:
        releases.check_history(display_path, framework.releases)
        checks.python_code(display_path, "from_numpy", framework.from_numpy, statements_allowed=False)
        checks.import_lines(display_path, framework.imports)
    return tuple(sorted((f for _, f in frameworks), key=lambda f: (f.order, f.id)))


def _load_vocabulary(root: Path, display_path: str, model: type[Model], key: str) -> Model:
    vocabulary = parse_model(model, read_yaml(Path(root) / display_path, Path(root)), display_path)
    checks.unique_ids([(display_path, vocabulary)],
                      lambda item: [(f"{key}[{i}].id", term.id) for i, term in enumerate(getattr(item, key))])
    checks.badge_colours(display_path, key, getattr(vocabulary, key))
    return vocabulary


def load_rosetta(root: Path, framework_ids: checks.FrameworkIds, kind_ids: set[str] | None = None
                 ) -> tuple[RosettaCategory, ...]:
    """data/rosetta/ on its own (the Rosetta tests need nothing else)."""
    if kind_ids is None:
        kinds = _load_vocabulary(Path(root), "data/difference_kinds.yml", DifferenceKinds, "kinds")
        kind_ids = {kind.id for kind in kinds.kinds}
    rosetta = _load_folder(Path(root), "data/rosetta", RosettaCategory, required=False)
    checks.unique_ids(rosetta, lambda c: [(f"rows[{i}].id", r.id) for i, r in enumerate(c.rows)])
    for display_path, category in rosetta:
        checks.rosetta_rows(display_path, category, framework_ids, kind_ids)
    return tuple(sorted((c for _, c in rosetta), key=lambda c: (c.order, c.id)))
