"""Load data/ and the notebook sources once, validate them, and return one `Site` object.

Failures are collected (up to ERROR_BATCH_LIMIT) and raised together as `SiteInputErrors`, one line each:
`data/features/autodiff.yml: features[2].cells.jax.level: 'builtin' is not a support level — fix: …`
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from . import checks, releases
from .data_yaml import read_data_yaml
from .errors import DataError, ErrorBatch, NotebookError, key_path, shown
from .measurements import BenchmarkRun
from .models import (Claim, FeatureCategory, Framework, MigrationGuide, NotebookOrder, RosettaCategory, SeedArticle,
                     Situation, SourceHosts, Tool, Topic)
from .text_policy import SOURCE_HOSTS_FILE
from .vocabularies import ClaimVerdicts, DifferenceKinds, SupportLevels
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
        return "use the documented form (lower-case-hyphenated ids, versions like \"2.1\" in ASCII digits)"
    if kind == "too_short":
        needed = error.get("ctx", {}).get("min_length", 1)
        return f"give at least {needed} {'entry' if needed == 1 else 'entries'} (data/README.md lists the minimums)"
    if kind == "string_too_long":
        return f"shorten it to {error.get('ctx', {}).get('max_length')} characters or fewer"
    if kind == "finite_number":
        return "write a measured, finite value"
    return "compare the value with its field in data/schema/"


def _data_error(error: dict, display_path: str) -> DataError:
    message = error["msg"].removeprefix("Value error, ")
    fix = _fix_for(error)
    if error["type"] == "value_error" and " — " in message:
        # Our own validators write "problem — fix".
        message, fix = message.split(" — ", 1)
    elif "input" in error and error["type"] != "missing":
        message = f"{message} (got {shown(error['input'])})"
    return DataError(display_path, key_path(error["loc"]), message, fix)


def parse_model(model: type[Model], raw: object, display_path: str, context: dict | None = None) -> Model:
    """The validated model, or every validation error of the file at once (SiteInputErrors)."""
    try:
        return model.model_validate(raw, context=context)
    except ValidationError as validation:
        batch = ErrorBatch()
        for error in validation.errors(include_url=False):
            batch.add(_data_error(error, display_path))
        batch.raise_if_any()
        raise AssertionError("unreachable: a ValidationError has at least one error") from None


# `mkdocs serve` rebuilds in one process: a file whose bytes, model and allow-list did not change since the last
# build is not parsed and validated again (the models are frozen, so sharing them is safe). Path → (key, item).
_validated: dict[str, tuple[tuple, BaseModel]] = {}


def validated_file(model: type[Model], path: Path, root: Path, context: dict) -> Model:
    """parse_model(read_yaml(...)) of one data file, reused while its inputs are unchanged."""
    display_path = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError:  # a folder named like a file, say: read_yaml reports it
        return parse_model(model, read_yaml(path, root), display_path, context)
    key = (model, hashlib.sha256(data).digest(), tuple(context.get("source_hosts", ())))
    known = _validated.get(str(path))
    if known is not None and known[0] == key:
        return known[1]
    item = parse_model(model, read_yaml(path, root), display_path, context)
    _validated[str(path)] = (key, item)
    return item


def read_yaml(path: Path, root: Path) -> dict:
    display_path = path.relative_to(root).as_posix()
    raw = read_data_yaml(path, display_path)
    if not isinstance(raw, dict):
        raise DataError(display_path, "(top level)", "is not a mapping of keys to values",
                        "start the file with `id: <file name>`")
    return raw


# What the build reads in data/: folders of one file per item (model, whether one is required) and
# single files. Anything else in data/ is refused, so a `.yaml` or `.json` file is never ignored silently.
DATA_FOLDERS: dict[str, tuple[type[BaseModel], bool]] = {
    "data/frameworks": (Framework, True), "data/features": (FeatureCategory, True), "data/topics": (Topic, True),
    "data/benchmarks": (BenchmarkRun, False), "data/articles": (SeedArticle, False),
    "data/claims": (Claim, False), "data/situations": (Situation, False), "data/rosetta": (RosettaCategory, False),
    "data/migrations": (MigrationGuide, False), "data/tools": (Tool, False),
}
DATA_FILES = ("data/support_levels.yml", "data/difference_kinds.yml", "data/claim_verdicts.yml",
              "data/notebook_order.yml", SOURCE_HOSTS_FILE)
# The vocabularies: (file, model, key of the list of terms).
VOCABULARIES = (("data/support_levels.yml", SupportLevels, "levels"),
                ("data/difference_kinds.yml", DifferenceKinds, "kinds"),
                ("data/claim_verdicts.yml", ClaimVerdicts, "verdicts"))
# Read by editors, not by the build: the editing guide and the generated editor schemas.
EDITOR_FILES = ("data/README.md", "data/schema")


def unread_data_files(root: Path) -> None:
    """Refuse every entry of data/ the build would not read (dot-files, editor litter, are skipped)."""
    data = root / "data"
    expected = {*DATA_FOLDERS, *DATA_FILES, *EDITOR_FILES}
    batch = ErrorBatch()
    for path in sorted(data.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(data).parts) or relative in expected:
            continue
        if relative.startswith("data/schema/") or (path.parent.relative_to(root).as_posix() in DATA_FOLDERS
                                                  and path.suffix == ".yml"):
            continue
        if path.is_dir() and any(folder.startswith(relative + "/") for folder in DATA_FOLDERS):
            continue
        if path.is_dir() and path.suffix != ".yml":
            problem, fix = "is a folder the build does not read", f"move its files into one of {', '.join(sorted(DATA_FOLDERS))}"
        elif path.suffix in (".yaml", ".json"):
            problem, fix = f"is not read: data files end in .yml", f"rename it to {path.stem}.yml (as YAML)"
        elif path.suffix != ".yml":
            problem, fix = "is not a data file the build reads", "remove it, or keep notes in data/README.md"
        else:
            problem, fix = "is not in a folder the build reads", f"move it into one of {', '.join(sorted(DATA_FOLDERS))}"
        with batch.collecting():
            raise DataError(relative, "(whole file)", problem, fix)
    batch.raise_if_any()


def _load_folder(root: Path, folder: str, model: type[Model], batch: ErrorBatch, context: dict,
                 required: bool = True) -> list[tuple[str, Model]]:
    """Every file of one folder; a file that fails joins the batch and is left out."""
    loaded = []
    for path in sorted((root / folder).glob("*.yml")):
        display_path = path.relative_to(root).as_posix()
        with batch.collecting(display_path):
            item = validated_file(model, path, root, context)
            checks.file_name_matches_id(display_path, path.stem, item.id)
            checks.not_reserved(display_path, "id", item.id)
            loaded.append((display_path, item))
    if not loaded and required and not batch.errors:
        batch.add(DataError(folder, "", "holds no .yml files", f"add at least one {model.__name__} file"))
    return loaded


def _load_file(root: Path, display_path: str, model: type[Model], batch: ErrorBatch, context: dict) -> Model | None:
    with batch.collecting(display_path):
        return validated_file(model, root / display_path, root, context)
    return None


def _source_context(root: Path, batch: ErrorBatch) -> dict:
    source_hosts = _load_file(root, SOURCE_HOSTS_FILE, SourceHosts, batch, {})
    # Without a valid allow-list the hosts go unchecked this round (its own errors are reported).
    return {"source_hosts": [host.prefix for host in source_hosts.hosts]} if source_hosts else {}


def _vocabulary_checks(check, display_path: str, vocabulary, key: str) -> None:
    check(checks.unique_ids, [(display_path, vocabulary)],
          lambda item: [(f"{key}[{i}].id", term.id) for i, term in enumerate(getattr(item, key))])
    check(checks.badge_colours, display_path, key, getattr(vocabulary, key))


def _framework_checks(check, frameworks: list[tuple[str, Framework]]) -> None:
    check(checks.unique_ids, frameworks, lambda item: [("id", item.id)])
    for display_path, framework in frameworks:
        check(releases.check_history, display_path, framework.releases)
        check(checks.python_code, display_path, "from_numpy", framework.from_numpy, False)
        check(checks.import_lines, display_path, framework.imports)


def _frameworks_in_order(frameworks) -> tuple[Framework, ...]:
    return tuple(sorted((f for _, f in frameworks), key=lambda f: (f.order, f.id)))


def load_site(root: Path, today: dt.date | None = None) -> Site:
    """Read data/ and notebooks/ under `root`; raise every problem found (capped), each on one line.

    Two rounds: first every file is read and validated on its own; only when all are valid are the
    references between files checked (a file that failed would otherwise cause a cascade of misleading
    "no such id" errors).
    """
    root = Path(root)
    today = today or dt.date.today()
    batch = ErrorBatch()

    with batch.collecting():
        unread_data_files(root)
    context = _source_context(root, batch)
    loaded = {folder: _load_folder(root, folder, model, batch, context, required)
              for folder, (model, required) in DATA_FOLDERS.items()}
    levels, difference_kinds, verdicts = (_load_file(root, display_path, model, batch, context)
                                          for display_path, model, _ in VOCABULARIES)
    order = _load_file(root, "data/notebook_order.yml", NotebookOrder, batch, context)
    framework_ids = checks.FrameworkIds(f for _, f in loaded["data/frameworks"])
    notebooks = {}
    for path in sorted((root / "notebooks").glob("*.py")):
        with batch.collecting(path.relative_to(root).as_posix()):
            notebooks[path.stem] = read_notebook_source(path, root, framework_ids)
            checks.not_reserved(path.relative_to(root).as_posix(), "(file name)", path.stem, NotebookError)
    batch.raise_if_any()

    frameworks, categories, topics = (loaded[f"data/{kind}"] for kind in ("frameworks", "features", "topics"))
    benchmarks, articles, claims = (loaded[f"data/{kind}"] for kind in ("benchmarks", "articles", "claims"))
    situations, rosetta_files, migrations = (loaded[f"data/{kind}"] for kind in ("situations", "rosetta", "migrations"))
    level_ids = {level.id for level in levels.levels}
    kind_ids = {kind.id for kind in difference_kinds.kinds}
    verdict_ids = {verdict.id for verdict in verdicts.verdicts}
    feature_ids = {f.id for _, c in categories for f in c.features}
    topic_ids = {t.id for _, t in topics}
    # A measurement is one chart of a run: evidence cites it as <run id>-<model>-<task>.
    measurement_ids = {f"{run.id}-{t.model}-{t.task}" for _, run in benchmarks for t in run.timings}
    article_ids = {a.id for _, a in articles}

    def check(function, *args) -> None:
        with batch.collecting():
            function(*args)

    _framework_checks(check, frameworks)
    for display_path, tool in loaded["data/tools"]:
        check(releases.check_history, display_path, tool.releases)
        if tool.framework is not None:
            check(checks.known_frameworks, display_path, [("framework", tool.framework)], framework_ids)
    for (display_path, _, key), vocabulary in zip(VOCABULARIES, (levels, difference_kinds, verdicts)):
        _vocabulary_checks(check, display_path, vocabulary, key)
    check(checks.unique_ids, categories, lambda c: [(f"features[{i}].id", f.id) for i, f in enumerate(c.features)])
    for display_path, category in categories:
        check(checks.feature_cells, display_path, category, framework_ids, level_ids, kind_ids)
    for display_path, notebook in notebooks.items():
        check(checks.snippets_cover_every_framework, notebook, framework_ids)
    check(checks.notebook_order, "data/notebook_order.yml", order.notebooks, notebooks)
    notebooks = {name: notebooks[name] for name in order.notebooks if name in notebooks}  # reading order
    for display_path, topic in topics:
        check(checks.topic_references, display_path, topic, framework_ids, feature_ids, notebooks, today, level_ids)
    for display_path, run in benchmarks:
        check(checks.known_frameworks, display_path, [(f"timings[{i}].framework", t.framework)
                                                      for i, t in enumerate(run.timings)], framework_ids)
    check(checks.unique_ids, articles, lambda a: [("seed_file", a.seed_file)])
    for display_path, claim in claims:
        check(checks.claim_references, display_path, claim, article_ids, feature_ids, topic_ids, notebooks,
              measurement_ids, today)
        check(checks.vocabulary_term, display_path, "verdict", claim.verdict, verdict_ids, "a verdict",
              "data/claim_verdicts.yml")
    check(checks.every_article_audited, articles, claims)
    for display_path, situation in situations:
        check(checks.situation_references, display_path, situation, framework_ids, feature_ids, topic_ids, today)
    check(checks.rosetta_categories, rosetta_files, framework_ids, kind_ids)
    rosetta_ids = {c.id for _, c in rosetta_files}
    for display_path, guide in migrations:
        check(checks.migration_references, display_path, guide, framework_ids, rosetta_ids, notebooks)
    check(checks.distinct_titles, [t for _, t in topics], [c for _, c in rosetta_files], notebooks)
    batch.raise_if_any()

    topic_order = {t.id: (t.order, t.id) for _, t in topics}
    return Site(
        frameworks=_frameworks_in_order(frameworks),
        levels=levels,
        difference_kinds=difference_kinds,
        verdicts=verdicts,
        categories=tuple(sorted((c for _, c in categories), key=lambda c: (c.order, c.id))),
        topics=tuple(sorted((t for _, t in topics), key=lambda t: (t.order, t.id))),
        notebooks=notebooks,
        articles=tuple(sorted((a for _, a in articles), key=lambda a: (a.order, a.id))),
        claims=tuple(sorted((c for _, c in claims), key=lambda c: (topic_order[c.topic], c.id))),
        situations=tuple(sorted((s for _, s in situations), key=lambda s: (s.order, s.id))),
        rosetta=_rosetta_in_order(rosetta_files),
        migrations=tuple(sorted((g for _, g in migrations), key=lambda g: (g.order, g.id))),
        benchmarks=tuple(sorted((run for _, run in benchmarks), key=lambda run: (run.mode != "full", run.id))),
        tools=tuple(sorted((t for _, t in loaded["data/tools"]), key=lambda t: t.id)),
    )


def _rosetta_in_order(rosetta_files) -> tuple[RosettaCategory, ...]:
    return tuple(sorted((c for _, c in rosetta_files), key=lambda c: (c.order, c.id)))


def load_frameworks(root: Path) -> tuple[Framework, ...]:
    """data/frameworks/ on its own, in column order (the Rosetta tests and the benchmark harness need only this)."""
    root, batch = Path(root), ErrorBatch()
    context = _source_context(root, batch)
    frameworks = _load_folder(root, "data/frameworks", Framework, batch, context)
    batch.raise_if_any()

    def check(function, *args) -> None:
        with batch.collecting():
            function(*args)

    _framework_checks(check, frameworks)
    batch.raise_if_any()
    return _frameworks_in_order(frameworks)


def load_rosetta(root: Path, framework_ids: checks.FrameworkIds, kind_ids: set[str] | None = None
                 ) -> tuple[RosettaCategory, ...]:
    """data/rosetta/ on its own (the Rosetta tests need nothing else)."""
    root, batch = Path(root), ErrorBatch()
    context = _source_context(root, batch)
    if kind_ids is None:
        kinds = _load_file(root, "data/difference_kinds.yml", DifferenceKinds, batch, context)
        kind_ids = {kind.id for kind in kinds.kinds} if kinds else set()
    rosetta_files = _load_folder(root, "data/rosetta", RosettaCategory, batch, context, required=False)
    batch.raise_if_any()
    with batch.collecting():
        checks.rosetta_categories(rosetta_files, framework_ids, kind_ids)
    batch.raise_if_any()
    return _rosetta_in_order(rosetta_files)
