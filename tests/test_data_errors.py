"""A corpus of broken inputs: each must stop loading with the exact file and key path, and a fix.

The minimums data/README.md documents have their own corpus in tests/test_data_minimums.py.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from content.errors import DataError
from sitebuild.execution import installed_versions, site_environment, tracked_distributions
from content.loading import load_site
from content.releases import check_against_environment, check_installs_shown

from conftest import ROOT, copy_project, run_build
from data_editing import (FIRST, LAST, TODAY, assert_refused, claim_files, edit, feature_files, first_cell, rel,
                          topic_with_snippets)
from data_editing import project  # noqa: F401 — the fixture every case breaks


# Each case: (name, function(root) → (file, key path) it breaks, fragment the message must contain)
def yaml_syntax_error(root):
    path = feature_files(root)[0]
    path.write_text(path.read_text() + "\nbroken: [unclosed\n")
    return rel(root, path), "line", "YAML syntax error"


def missing_field(root):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d).pop("note"))
    return rel(root, path), f"features[0].cells.{FIRST}.note", "Field required"


def unknown_framework(root):
    path = feature_files(root)[0]
    edit(path, lambda d: d["features"][0]["cells"].__setitem__("mxnet", d["features"][0]["cells"].pop(LAST)))
    return rel(root, path), "features[0].cells.mxnet", "'mxnet' is not a framework"


def missing_framework(root):
    path = feature_files(root)[0]
    edit(path, lambda d: d["features"][0]["cells"].pop(LAST))
    return rel(root, path), f"features[0].cells.{LAST}", f"the cell for {LAST} is missing"


def unknown_level(root):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d, LAST).__setitem__("level", "builtin"))
    return rel(root, path), f"features[0].cells.{LAST}.level", "'builtin' is not a support level"


def duplicate_feature_id(root):
    first, second = feature_files(root)[:2]
    taken = yaml.safe_load(first.read_text())["features"][0]["id"]
    edit(second, lambda d: d["features"][0].__setitem__("id", taken))
    return rel(root, second), "features[0].id", f"duplicate id '{taken}'"


def dangling_feature(root):
    path = topic_with_snippets(root)
    edit(path, lambda d: d.__setitem__("related_features", ["no-such-feature"]))
    return rel(root, path), "related_features[0]", "no feature has the id 'no-such-feature'"


def dangling_notebook(root):
    path = topic_with_snippets(root)
    edit(path, lambda d: d["snippets"][0].__setitem__("notebook", "no-such-notebook"))
    return rel(root, path), "snippets[0].notebook", "notebooks/no-such-notebook.py does not exist"


def dangling_cell_tag(root):
    path = topic_with_snippets(root)
    edit(path, lambda d: d["snippets"][0].__setitem__("snippet", "no-such-snippet"))
    return rel(root, path), "snippets[0].snippet", "is tagged 'no-such-snippet'"


def non_https_url(root):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d)["sources"].__setitem__(0, "http://docs.example.org/docs"))
    return rel(root, path), f"features[0].cells.{FIRST}.sources[0]", "is not an https URL"


def malformed_url(root):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d)["sources"].__setitem__(0, "https://docs example.org/docs"))
    return rel(root, path), f"features[0].cells.{FIRST}.sources[0]", "not a well-formed URL"


def future_review_date(root):
    path = topic_with_snippets(root)
    edit(path, lambda d: d.__setitem__("last_reviewed", TODAY + dt.timedelta(days=30)))
    return rel(root, path), "last_reviewed", "is in the future"


def file_name_differs_from_id(root):
    path = feature_files(root)[0]
    renamed = path.with_name("renamed-category.yml")
    path.rename(renamed)
    return rel(root, renamed), "id", "differs from the file name 'renamed-category'"


def script_in_text(root):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d).__setitem__("note", "Looks fine <script>alert(1)</script>"))
    return rel(root, path), f"features[0].cells.{FIRST}.note", "contains an HTML tag"


def unquoted_version(root):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d).__setitem__("since", 2.0))
    return rel(root, path), f"features[0].cells.{FIRST}.since", "Input should be a valid string"


def misspelt_key(root):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d).__setitem__("notes", "typo of note"))
    return rel(root, path), f"features[0].cells.{FIRST}.notes", "Extra inputs are not permitted"


def framework_missing_licence(root):
    path = root / f"data/frameworks/{LAST}.yml"
    edit(path, lambda d: d.pop("licence"))
    return rel(root, path), "licence", "Field required"


def malformed_date(root):
    path = topic_with_snippets(root)
    edit(path, lambda d: d.__setitem__("last_reviewed", "21/11/2026"))
    return rel(root, path), "last_reviewed", "date"


def duplicate_level(root):
    path = root / "data/support_levels.yml"
    edit(path, lambda d: d["levels"].append(dict(d["levels"][0])))
    return rel(root, path), f"levels[{len(yaml.safe_load(path.read_text())['levels']) - 1}].id", "duplicate id"


def notebook_cell_with_two_frameworks(root):
    path = root / "notebooks/tensors.py"
    path.write_text(path.read_text().replace(f'# %% tags=["{FIRST}", "eager-arithmetic"]',
                                             f'# %% tags=["{FIRST}", "{LAST}", "eager-arithmetic"]'))
    return rel(root, path), "cell", "should be one framework id and one snippet name"


def code_span_in_notebook_heading(root):
    path = root / "notebooks/tensors.py"
    path.write_text(path.read_text().replace("# ## To and from NumPy", "# ## To and from `numpy`"))
    return rel(root, path), "cell", "has a code span"


def deprecated_without_deprecation(root):
    path = feature_files(root)[0]
    edit(path, lambda d: (first_cell(d, LAST).__setitem__("level", "deprecated"),
                          first_cell(d, LAST).pop("deprecation", None)))
    return rel(root, path), f"features[0].cells.{LAST}.deprecation", "does not say since when"


def rosetta_unknown_framework(root):
    path = root / "data/rosetta/reductions.yml"
    edit(path, lambda d: d["rows"][0]["code"].__setitem__("mxnet", "x.sum()"))
    return rel(root, path), "rows[0].code.mxnet", "'mxnet' is not a framework"


def rosetta_missing_source(root):
    path = root / "data/rosetta/reductions.yml"
    edit(path, lambda d: d["rows"][0]["sources"].pop(LAST))
    return rel(root, path), f"rows[0].sources.{LAST}", f"the source for {LAST} is missing"


def situation_reason_to_nowhere(root):
    path = sorted((root / "data/situations").glob("*.yml"))[0]
    edit(path, lambda d: d["reasons"].__setitem__(0, {"text": "Because.", "feature": "no-such-feature"}))
    return rel(root, path), "reasons[0].feature", "no feature has the id 'no-such-feature'"


def claim_evidence_to_missing_topic(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d["evidence"].__setitem__(0, {"topic": "no-such-topic"}))
    return rel(root, path), "evidence[0].topic", "no topic has the id 'no-such-topic'"


def claim_evidence_of_two_kinds(root):
    path = claim_files(root)[0]
    allowed = f"https://{yaml.safe_load((root / 'data/source_hosts.yml').read_text())['hosts'][0]['prefix']}/"
    edit(path, lambda d: d["evidence"].__setitem__(0, {"source": allowed, "topic": "execution-model"}))
    return rel(root, path), "evidence[0]", "names 2 kinds of evidence"


def claim_with_unknown_verdict(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d.__setitem__("verdict", "true"))
    return rel(root, path), "verdict", "'true' is not a verdict"


def claim_made_by_unknown_article(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d["made_by"].append("no-such-article"))
    return rel(root, path), "made_by[", "no article has the id 'no-such-article'"


def claim_made_by_same_article_twice(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d["made_by"].append(d["made_by"][0]))
    return rel(root, path), "made_by[", "is listed twice"


def claim_reason_longer_than_a_line(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d.__setitem__("reason", "Because " * 30))
    return rel(root, path), "reason", "at most 160 characters"


def claim_evidence_dated_in_the_future(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d["evidence"][0].__setitem__("date", TODAY + dt.timedelta(days=1)))
    return rel(root, path), "evidence[0].date", "is in the future"


def claim_file_named_differently(root):
    path = claim_files(root)[0]
    path.rename(path.with_name("renamed-claim.yml"))
    return f"data/claims/renamed-claim.yml", "id", "differs from the file name"


def article_that_no_claim_names(root):
    path = root / "data/articles/unused-article.yml"
    path.write_text("id: unused-article\nlabel: Unused\ndescription: Never cited.\nseed_file: 999_ab.txt\norder: 9\n")
    return rel(root, path), "id", "no claim in data/claims/ names 'unused-article'"


def migration_weights_from_missing_notebook(root):
    path = root / "data/migrations/pytorch-to-jax.yml"
    edit(path, lambda d: d["weights"].__setitem__("notebook", "no-such-notebook"))
    return "data/migrations/pytorch-to-jax.yml", "weights.notebook", "no notebook is named 'no-such-notebook'"


def releases_out_of_order(root):
    path = root / "data/frameworks/pytorch.yml"
    edit(path, lambda d: d["releases"].reverse())
    return rel(root, path), "releases[1].date", "is earlier than the entry before it"


def release_listed_twice(root):
    path = root / "data/tools/flax.yml"
    edit(path, lambda d: d["releases"].append(copy.deepcopy(d["releases"][-1])))
    last = len(yaml.safe_load(path.read_text())["releases"]) - 1
    return rel(root, path), f"releases[{last}].version", "is listed twice"


def framework_without_release_history(root):
    path = root / "data/frameworks/jax.yml"
    edit(path, lambda d: d.pop("releases"))
    return rel(root, path), "releases", "Field required"


def release_without_source(root):
    path = root / "data/tools/keras.yml"
    edit(path, lambda d: d["releases"][0].pop("source"))
    return rel(root, path), "releases[0].source", "Field required"


def tool_for_unknown_framework(root):
    path = root / "data/tools/optax.yml"
    edit(path, lambda d: d.__setitem__("framework", "mxnet"))
    return rel(root, path), "framework", "'mxnet' is not a framework"


def tool_file_named_differently(root):
    path = root / "data/tools/grain.yml"
    edit(path, lambda d: d.__setitem__("id", "grain-loader"))
    return rel(root, path), "id", "differs from the file name"


CASES = [yaml_syntax_error, missing_field, unknown_framework, missing_framework, unknown_level,
         duplicate_feature_id, dangling_feature, dangling_notebook, dangling_cell_tag, non_https_url,
         malformed_url, future_review_date, file_name_differs_from_id, script_in_text, unquoted_version,
         misspelt_key, framework_missing_licence, malformed_date, duplicate_level,
         notebook_cell_with_two_frameworks, code_span_in_notebook_heading, deprecated_without_deprecation,
         rosetta_unknown_framework, rosetta_missing_source, situation_reason_to_nowhere,
         claim_evidence_to_missing_topic, claim_evidence_of_two_kinds, claim_with_unknown_verdict,
         claim_made_by_unknown_article, claim_made_by_same_article_twice, claim_reason_longer_than_a_line,
         claim_evidence_dated_in_the_future, claim_file_named_differently, article_that_no_claim_names,
         migration_weights_from_missing_notebook, releases_out_of_order, release_listed_twice,
         framework_without_release_history, release_without_source, tool_for_unknown_framework,
         tool_file_named_differently]


def test_the_real_data_loads():
    site = load_site(ROOT, today=TODAY)
    assert site.categories and site.topics and len(site.frameworks) >= 3


@pytest.mark.parametrize("breakage", CASES, ids=[case.__name__ for case in CASES])
def test_broken_input_names_file_key_path_and_fix(project, breakage):
    assert_refused(project, breakage)


def test_broken_data_stops_the_build_with_one_line_and_no_site(tmp_path):
    project = copy_project(tmp_path / "project")
    path = feature_files(project)[0]
    edit(path, lambda d: first_cell(d, LAST).__setitem__("level", "builtin"))
    site = tmp_path / "site"
    result = run_build(project, site)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert f"{rel(project, path)}: features[0].cells.{LAST}.level: 'builtin' is not a support level" in errors[0]
    assert "Traceback" not in result.stderr
    assert not site.exists() or not any(site.iterdir()), "a failed build must not publish a partial site"


# Release histories against the packages that execute the site: checked once per build, after execution.
def drop_releases(root: Path, path: str, keep) -> None:
    edit(root / path, lambda d: d.__setitem__("releases", [r for r in d["releases"] if keep(Version(r["version"]))]))


ENVIRONMENT_CASES = {
    "executed-newer-than-history": (
        lambda root: drop_releases(root, "data/frameworks/pytorch.yml", lambda v: v < Version("2.13")),
        "data/frameworks/pytorch.yml", "releases", "torch 2.13.0 executed the site but the newest release recorded is"),
    "executed-missing-inside-history": (
        lambda root: drop_releases(root, "data/frameworks/pytorch.yml", lambda v: v != Version("2.13.0")),
        "data/frameworks/pytorch.yml", "releases", "torch 2.13.0 executed the site but is missing from its release"),
    "package-without-history": (
        lambda root: (root / "data/tools/optax.yml").unlink(),
        "data/tools/optax.yml", "(file)", "`optax` executed the notebooks and is shown on the versions page"),
    "history-of-a-package-not-executed": (
        lambda root: (root / "data/tools/made-up.yml").write_text(
            (root / "data/tools/optax.yml").read_text().replace("id: optax", "id: made-up")),
        "data/tools/made-up.yml", "id", "`made-up` is not among the packages the executing environment reports"),
}


# What the kernel reports for the real project: the packages its frameworks and tools name, as installed.
_SITE = load_site(ROOT, today=TODAY)
EXECUTED_ENVIRONMENT = site_environment(_SITE.tools, installed_versions(tracked_distributions(_SITE.frameworks, _SITE.tools)))


def test_only_packages_the_notebooks_run_key_the_notebook_cache():
    tracked = tracked_distributions(_SITE.frameworks, _SITE.tools)
    assert "flax" in tracked and "torch" in tracked
    assert not {"pytest", "mkdocs-material", "pagefind"} & set(tracked), "a test or build tool would re-execute notebooks"
    assert {"pytest", "mkdocs-material", "pagefind"} <= set(EXECUTED_ENVIRONMENT)


def test_the_release_histories_know_every_package_that_executes():
    check_against_environment(_SITE, EXECUTED_ENVIRONMENT)


def test_every_package_the_project_installs_is_on_the_versions_page():
    check_installs_shown(_SITE, (ROOT / "requirements.txt").read_text(encoding="utf-8"))


def test_an_installed_package_without_a_release_history_stops_the_build():
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8") + "Some_Package[extra]>=1.0  # new\n"
    with pytest.raises(DataError) as raised:
        check_installs_shown(_SITE, requirements)
    message = str(raised.value)
    assert raised.value.file == "requirements.txt" and raised.value.key_path == f"line {len(requirements.splitlines())}"
    assert "data/tools/some-package.yml" in message and " — fix: " in message and "\n" not in message


@pytest.mark.parametrize("case", ENVIRONMENT_CASES, ids=list(ENVIRONMENT_CASES))
def test_release_history_behind_the_environment_names_file_key_path_and_fix(project, case):
    breakage, expected_file, expected_key, fragment = ENVIRONMENT_CASES[case]
    breakage(project)
    with pytest.raises(DataError) as raised:
        check_against_environment(load_site(project, today=TODAY), EXECUTED_ENVIRONMENT)
    message = str(raised.value)
    assert raised.value.file == expected_file and raised.value.key_path == expected_key, message
    assert fragment in message and "\n" not in message and " — fix: " in message


def test_a_release_history_behind_the_executed_version_stops_the_build(tmp_path):
    project = copy_project(tmp_path / "project")
    drop_releases(project, "data/frameworks/pytorch.yml", lambda v: v != Version("2.13.0"))
    site = tmp_path / "site"
    result = run_build(project, site)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert "data/frameworks/pytorch.yml: releases: torch 2.13.0 executed the site but is missing" in errors[0]
    assert "make releases" in errors[0] and "Traceback" not in result.stderr
