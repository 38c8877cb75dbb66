"""A corpus of broken inputs: each must stop loading with the exact file and key path, and a fix."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from macros.errors import DataError, NotebookError, SiteInputError
from macros.loading import load_frameworks, load_site

from conftest import ROOT, copy_project, run_build

TODAY = dt.date.today()
# Framework ids as data names them: the first and last column.
FIRST, LAST = load_frameworks(ROOT)[0].id, load_frameworks(ROOT)[-1].id


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    for part in ("data", "notebooks"):
        shutil.copytree(ROOT / part, root / part)
    return root


def feature_files(root: Path) -> list[Path]:
    return sorted((root / "data/features").glob("*.yml"))


def topic_with_snippets(root: Path) -> Path:
    return next(p for p in sorted((root / "data/topics").glob("*.yml")) if yaml.safe_load(p.read_text())["snippets"])


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def first_cell(data, framework=FIRST):
    return data["features"][0]["cells"][framework]


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


def claim_files(root: Path) -> list[Path]:
    return sorted((root / "data/claims").glob("*.yml"))


def claim_evidence_to_missing_topic(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d["evidence"].__setitem__(0, {"topic": "no-such-topic"}))
    return rel(root, path), "evidence[0].topic", "no topic has the id 'no-such-topic'"


def claim_evidence_of_two_kinds(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d["evidence"].__setitem__(0, {"source": "https://docs.example.org/", "topic": "execution-model"}))
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


def any_topic(root: Path) -> Path:
    return sorted((root / "data/topics").glob("*.yml"))[0]


def topic_timeline_too_short(root):
    path = any_topic(root)
    edit(path, lambda d: d.__setitem__("timeline", d["timeline"][:2]))
    return rel(root, path), "timeline", "at least 3"


def topic_with_two_verdicts(root):
    path = any_topic(root)
    edit(path, lambda d: d.__setitem__("verdict", d["verdict"][:2]))
    return rel(root, path), "verdict", "at least 3"


def topic_with_three_sources(root):
    path = any_topic(root)
    edit(path, lambda d: d.__setitem__("sources", d["sources"][:3]))
    return rel(root, path), "sources", "at least 4"


def topic_without_matrix_rows(root):
    path = any_topic(root)
    edit(path, lambda d: d.__setitem__("related_features", []))
    return rel(root, path), "related_features", "at least 1"


def topic_without_glance(root):
    path = any_topic(root)
    edit(path, lambda d: d.pop("at_a_glance"))
    return rel(root, path), "at_a_glance", "Field required"


def glance_missing_a_framework(root):
    path = any_topic(root)
    edit(path, lambda d: d["at_a_glance"]["frameworks"].pop(LAST))
    return rel(root, path), f"at_a_glance.frameworks.{LAST}", f"the at-a-glance row for {LAST} is missing"


def glance_with_unknown_level(root):
    path = any_topic(root)
    edit(path, lambda d: d["at_a_glance"]["frameworks"][FIRST].__setitem__("level", "yes"))
    return rel(root, path), f"at_a_glance.frameworks.{FIRST}.level", "'yes' is not a support level"


def glance_verdict_longer_than_a_line(root):
    path = any_topic(root)
    edit(path, lambda d: d["at_a_glance"].__setitem__("verdict", "Long. " * 60))
    return rel(root, path), "at_a_glance.verdict", "240"


def topic_with_two_questions(root):
    path = any_topic(root)
    edit(path, lambda d: d.__setitem__("questions", d["questions"][:2]))
    return rel(root, path), "questions", "at least 3"


def notebook_missing_from_reading_order(root):
    path = root / "data/notebook_order.yml"
    edit(path, lambda d: d["notebooks"].remove("autograd"))
    return rel(root, path), "notebooks", "notebooks/autograd.py is not in the reading order"


def unknown_notebook_in_reading_order(root):
    path = root / "data/notebook_order.yml"
    edit(path, lambda d: d["notebooks"].append("nonexistent"))
    return rel(root, path), "notebooks[", "notebooks/nonexistent.py does not exist"


def notebook_titled_like_a_topic(root):
    path = root / "notebooks/autograd.py"
    text = path.read_text()
    heading = next(line for line in text.splitlines() if line.startswith("# # "))
    topic_title = yaml.safe_load((root / "data/topics/automatic-differentiation.yml").read_text())["title"]
    path.write_text(text.replace(heading, f"# # {topic_title}", 1))
    return "notebooks/autograd.py", "first heading", "is also the title of data/topics/automatic-differentiation.yml"


def rosetta_code_with_a_syntax_error(root):
    path = root / "data/rosetta/reductions.yml"
    edit(path, lambda d: d["rows"][0]["code"].__setitem__(FIRST, "x.sum(dim=0"))
    return rel(root, path), f"rows[0].code.{FIRST}", "is not valid Python"


def rosetta_check_with_a_syntax_error(root):
    path = root / "data/rosetta/reductions.yml"
    row = next(i for i, r in enumerate(yaml.safe_load(path.read_text())["rows"]) if r.get("results_differ"))
    edit(path, lambda d: d["rows"][row]["results_differ"].__setitem__("check", "np.allclose(results[)"))
    return rel(root, path), f"rows[{row}].results_differ.check", "is not a valid Python expression"


def rosetta_input_that_is_a_statement(root):
    path = root / "data/rosetta/reductions.yml"
    edit(path, lambda d: d["rows"][0].__setitem__("inputs", {"x": "y = randn(3)"}))
    return rel(root, path), "rows[0].inputs.x", "is not a valid Python expression"


def rosetta_unknown_difference_kind(root):
    path = root / "data/rosetta/reductions.yml"
    edit(path, lambda d: d["rows"][0].__setitem__("difference", {"kind": "argument-names", "note": "Old id."}))
    return rel(root, path), "rows[0].difference.kind", "'argument-names' is not a difference kind"


def feature_unknown_difference_kind(root):
    path = feature_files(root)[0]
    edit(path, lambda d: d["features"][0].__setitem__("difference", {"kind": "names-differ", "note": "Old id."}))
    return rel(root, path), "features[0].difference.kind", "'names-differ' is not a difference kind"


def level_colour_too_light_for_white_text(root):
    path = root / "data/support_levels.yml"
    edit(path, lambda d: d["levels"][0].__setitem__("colour", "#ffeb3b"))
    return rel(root, path), "levels[0].colour", "contrast"


def verdict_without_colour(root):
    path = root / "data/claim_verdicts.yml"
    edit(path, lambda d: d["verdicts"][0].pop("colour"))
    return rel(root, path), "verdicts[0].colour", "Field required"


def framework_import_line_that_is_not_an_import(root):
    path = root / f"data/frameworks/{FIRST}.yml"
    edit(path, lambda d: d["imports"].append("print('hello')"))
    return rel(root, path), "imports[", "is not one import statement"


def framework_from_numpy_with_a_syntax_error(root):
    path = root / f"data/frameworks/{FIRST}.yml"
    edit(path, lambda d: d.__setitem__("from_numpy", "convert(array"))
    return rel(root, path), "from_numpy", "is not a valid Python expression"


def category_without_features(root):
    path = feature_files(root)[0]
    edit(path, lambda d: d.__setitem__("features", []))
    return rel(root, path), "features", "at least 1"


def rosetta_category_without_rows(root):
    path = root / "data/rosetta/reductions.yml"
    edit(path, lambda d: d.__setitem__("rows", []))
    return rel(root, path), "rows", "at least 1"


def rosetta_row_missing_code(root):
    path = root / "data/rosetta/reductions.yml"
    edit(path, lambda d: d["rows"][0]["code"].pop(LAST))
    return rel(root, path), f"rows[0].code.{LAST}", f"the code for {LAST} is missing"


def situation_with_one_reason(root):
    path = sorted((root / "data/situations").glob("*.yml"))[0]
    edit(path, lambda d: d.__setitem__("reasons", d["reasons"][:1]))
    return rel(root, path), "reasons", "at least 2"


def situation_reason_linking_nothing(root):
    path = sorted((root / "data/situations").glob("*.yml"))[0]
    edit(path, lambda d: d["reasons"].__setitem__(0, {"text": "Because."}))
    return rel(root, path), "reasons[0]", "links to neither a feature nor a topic"


def claim_made_by_nobody(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d.__setitem__("made_by", []))
    return rel(root, path), "made_by", "at least 1"


def claim_without_evidence(root):
    path = claim_files(root)[0]
    edit(path, lambda d: d.__setitem__("evidence", []))
    return rel(root, path), "evidence", "at least 1"


def notebook_without_a_title(root):
    path = root / "notebooks/tensors.py"
    text = path.read_text()
    heading = next(line for line in text.splitlines() if line.startswith("# # "))
    path.write_text(text.replace(heading, "# Tensors, untitled", 1))
    return rel(root, path), "first markdown cell", "has no `# Title` heading"


def notebook_listed_twice_in_reading_order(root):
    path = root / "data/notebook_order.yml"
    edit(path, lambda d: d["notebooks"].append(d["notebooks"][0]))
    return rel(root, path), "notebooks[", "is listed twice"


def snippet_missing_a_framework_cell(root):
    path = topic_with_snippets(root)
    ref = yaml.safe_load(path.read_text())["snippets"][0]
    notebook = root / "notebooks" / f"{ref['notebook']}.py"
    tagged = f'# %% tags=["{LAST}", "{ref["snippet"]}"]'
    assert tagged in notebook.read_text()
    notebook.write_text(notebook.read_text().replace(tagged, "# %%"))
    return rel(root, path), "snippets[0].snippet", f"has no {LAST} cell"


CASES = [category_without_features, rosetta_category_without_rows, rosetta_row_missing_code,
         situation_with_one_reason, situation_reason_linking_nothing, claim_made_by_nobody, claim_without_evidence,
         notebook_without_a_title, notebook_listed_twice_in_reading_order, snippet_missing_a_framework_cell,
         rosetta_code_with_a_syntax_error, rosetta_check_with_a_syntax_error, rosetta_input_that_is_a_statement,
         rosetta_unknown_difference_kind, feature_unknown_difference_kind, level_colour_too_light_for_white_text,
         verdict_without_colour, framework_import_line_that_is_not_an_import, framework_from_numpy_with_a_syntax_error,
         deprecated_without_deprecation, rosetta_unknown_framework, rosetta_missing_source,
         situation_reason_to_nowhere, claim_evidence_to_missing_topic, claim_evidence_of_two_kinds,
         claim_with_unknown_verdict, claim_made_by_unknown_article, claim_made_by_same_article_twice,
         claim_reason_longer_than_a_line, claim_evidence_dated_in_the_future, claim_file_named_differently,
         article_that_no_claim_names, code_span_in_notebook_heading, yaml_syntax_error, missing_field, unknown_framework, missing_framework, unknown_level,
         duplicate_feature_id, dangling_feature, dangling_notebook, dangling_cell_tag, non_https_url,
         malformed_url, future_review_date, file_name_differs_from_id, script_in_text, unquoted_version,
         misspelt_key, framework_missing_licence, malformed_date, duplicate_level,
         notebook_cell_with_two_frameworks, topic_timeline_too_short, topic_with_two_verdicts,
         topic_with_three_sources, topic_without_matrix_rows, topic_without_glance, glance_missing_a_framework,
         glance_with_unknown_level, glance_verdict_longer_than_a_line, topic_with_two_questions,
         notebook_missing_from_reading_order, unknown_notebook_in_reading_order, notebook_titled_like_a_topic]


def test_the_real_data_loads():
    site = load_site(ROOT, today=TODAY)
    assert site.categories and site.topics and len(site.frameworks) >= 3


@pytest.mark.parametrize("breakage", CASES, ids=[case.__name__ for case in CASES])
def test_broken_input_names_file_key_path_and_fix(project, breakage):
    expected_file, expected_key, fragment = breakage(project)
    with pytest.raises(SiteInputError) as raised:
        load_site(project, today=TODAY)
    error = raised.value
    message = str(error)
    assert error.file == expected_file, message
    assert error.key_path.startswith(expected_key), message
    assert fragment in message
    assert "\n" not in message and " — fix: " in message and error.fix.strip()
    assert isinstance(error, NotebookError if expected_file.startswith("notebooks/") else DataError)


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
