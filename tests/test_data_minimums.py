"""Every minimum and required field data/README.md documents ("Minimums the build enforces"): breaking one
stops loading with one line naming the file, the key path and the fix."""

from __future__ import annotations

import pytest
import yaml

from data_editing import (FIRST, LAST, any_topic, assert_refused, claim_files, edit, feature_files, rel,
                          topic_with_snippets)
from data_editing import project  # noqa: F401 — the fixture every case breaks


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


CASES = [topic_timeline_too_short, topic_with_two_verdicts, topic_with_three_sources, topic_without_matrix_rows,
         topic_without_glance, glance_missing_a_framework, glance_with_unknown_level,
         glance_verdict_longer_than_a_line, topic_with_two_questions, notebook_missing_from_reading_order,
         unknown_notebook_in_reading_order, notebook_titled_like_a_topic, rosetta_code_with_a_syntax_error,
         rosetta_check_with_a_syntax_error, rosetta_input_that_is_a_statement, rosetta_unknown_difference_kind,
         feature_unknown_difference_kind, level_colour_too_light_for_white_text, verdict_without_colour,
         framework_import_line_that_is_not_an_import, framework_from_numpy_with_a_syntax_error,
         category_without_features, rosetta_category_without_rows, rosetta_row_missing_code,
         situation_with_one_reason, situation_reason_linking_nothing, claim_made_by_nobody,
         claim_without_evidence, notebook_without_a_title, notebook_listed_twice_in_reading_order,
         snippet_missing_a_framework_cell]


@pytest.mark.parametrize("breakage", CASES, ids=[case.__name__ for case in CASES])
def test_breaking_a_documented_minimum_is_refused(project, breakage):
    assert_refused(project, breakage)
