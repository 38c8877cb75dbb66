"""Hostile or careless input, continued (issue 11): each kind must stop loading with the exact file,
key path and a fix, one line each, whatever the input does to YAML, Markdown, HTML or the log."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from content.errors import ERROR_BATCH_LIMIT, SiteInputError
from content.loading import load_site

from data_editing import (TODAY, any_topic, edit, errors_of, feature_files, first_cell, project,  # noqa: F401
                          rel)
from test_data_errors import test_broken_input_names_file_key_path_and_fix as check_case

BENCHMARK = "data/benchmarks/cpu-2026-11-22.yml"
TENSORS = "notebooks/tensors.py"


def append_to_first_feature_file(root, text):
    path = feature_files(root)[0]
    path.write_text(path.read_text() + text)
    return path


def set_note(root, note):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d).__setitem__("note", note))
    return rel(root, path), "features[0].cells.pytorch.note"


def set_first_source(root, url):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d)["sources"].__setitem__(0, url))
    return rel(root, path), "features[0].cells.pytorch.sources[0]"


def replace_in(root, relative, old, new):
    path = root / relative
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# --- YAML that lies or explodes -----------------------------------------------------------------

def duplicate_key(root):
    path = feature_files(root)[0]
    path.write_text(path.read_text().replace("\ntitle:", "\norder: 99\ntitle:", 1)
                    if "\ntitle:" in path.read_text() else "order: 99\n" + path.read_text())
    return rel(root, path), "order", "the key appears twice"


def alias_bomb(root):
    path = root / "data/topics/bomb.yml"
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path.write_text("id: bomb\n" + "\n".join(lines) + "\n")
    return rel(root, path), "a1[0]", "uses a YAML alias"


def merge_key(root):
    path = root / "data/topics/merged.yml"
    path.write_text("id: merged\nbase: &base {order: 1}\ncopy:\n  <<: *base\n")
    return rel(root, path), "copy", "merge key"


def nan_measurement(root):
    replace_in(root, BENCHMARK, "median_ms: 1.096", "median_ms: .nan")
    return BENCHMARK, "timings[", ".nan is not a finite number"


def infinite_measurement(root):
    replace_in(root, BENCHMARK, "median_ms: 1.096", "median_ms: -.inf")
    return BENCHMARK, "timings[", "-.inf is not a finite number"


def impossible_calendar_date(root):
    path = any_topic(root)
    path.write_text(path.read_text().replace("last_reviewed:", "last_reviewed: 2026-02-30\nold_reviewed:", 1))
    return rel(root, path), "last_reviewed", "is not a real calendar date"


def non_utf8_bytes(root):
    path = feature_files(root)[0]
    path.write_bytes(path.read_bytes().replace(b"\ntitle:", b"\n# caf\xe9\ntitle:", 1))
    return rel(root, path), "line", "is not UTF-8 text"


def deep_nesting(root):
    path = root / "data/topics/deep.yml"
    path.write_text("id: deep\nx: " + "[" * 60 + "]" * 60 + "\n")
    return rel(root, path), "x", "nests deeper than"


def python_object_tag(root):
    path = feature_files(root)[0]
    path.write_text(path.read_text() + "\nextra: !!python/object/apply:os.system [\"true\"]\n")
    return rel(root, path), "line", "YAML syntax error"


def empty_file(root):
    path = root / "data/topics/empty.yml"
    path.write_text("")
    return rel(root, path), "(top level)", "is not a mapping"


def list_at_top_level(root):
    path = root / "data/topics/listed.yml"
    path.write_text("- id: listed\n")
    return rel(root, path), "(top level)", "is not a mapping"


# --- Every file in data/ loaded or refused --------------------------------------------------------

def yaml_extension(root):
    path = root / "data/topics/extra-topic.yaml"
    path.write_text("id: extra-topic\n")
    return rel(root, path), "(whole file)", "data files end in .yml"


def json_file(root):
    path = root / "data/features/extra.json"
    path.write_text("{}")
    return rel(root, path), "(whole file)", "data files end in .yml"


def stray_file(root):
    path = root / "data/notes.txt"
    path.write_text("to do")
    return rel(root, path), "(whole file)", "is not a data file the build reads"


def unknown_folder(root):
    path = root / "data/tutorials"
    path.mkdir()
    (path / "one.yml").write_text("id: one\n")
    return rel(root, path), "(whole file)", "is a folder the build does not read"


def folder_named_yml(root):
    path = root / "data/topics/folder.yml"
    path.mkdir()
    return rel(root, path), "(whole file)", "is a folder, not a file"


def dangling_symlink(root):
    path = root / "data/topics/linked.yml"
    os.symlink(root / "data/topics/no-such-file.yml", path)
    return rel(root, path), "(whole file)", "symbolic link to a file that does not exist"


def missing_support_levels(root):
    (root / "data/support_levels.yml").unlink()
    return "data/support_levels.yml", "(whole file)", "does not exist"


# --- Ids that would replace a page or an anchor --------------------------------------------------

def topic_named_index(root):
    source = any_topic(root)
    path = source.with_name("index.yml")
    source.rename(path)
    edit(path, lambda d: d.__setitem__("id", "index"))
    return rel(root, path), "id", "'index' is reserved"


def category_named_legend(root):
    source = feature_files(root)[0]
    path = source.with_name("legend.yml")
    source.rename(path)
    edit(path, lambda d: d.__setitem__("id", "legend"))
    return rel(root, path), "id", "'legend' is reserved"


def notebook_named_index(root):
    (root / "notebooks/tensors.py").rename(root / "notebooks/index.py")
    return "notebooks/index.py", "(file name)", "'index' is reserved"


# --- Values that are not what they look like ----------------------------------------------------

def control_character(root):
    return (*set_note(root, "Looks fine\x07 but rings a bell."), "U+0007")


def bidi_override(root):
    return (*set_note(root, "Returns \u202eevil\u202c text."), "U+202E")


def zero_width_space(root):
    return (*set_note(root, "Use torch\u200b.compile."), "U+200B")


def non_ascii_digits_in_version(root):
    path = feature_files(root)[0]
    edit(path, lambda d: first_cell(d).__setitem__("since", "\u0662.\u0660"))
    return rel(root, path), "features[0].cells.pytorch.since", "String should match pattern"


def fullwidth_digits_in_applies_to(root):
    path = any_topic(root)
    edit(path, lambda d: d["applies_to"].__setitem__("jax", "\uff10.4"))
    return rel(root, path), "applies_to.jax", "String should match pattern"


def source_on_unlisted_host(root):
    return (*set_first_source(root, "https://pytorch-tutorials.example.com/autograd"), "is not on an allowed host")


def source_with_userinfo(root):
    return (*set_first_source(root, "https://pytorch.org@evil.example.com/docs"), "names a user or port")


def source_with_port(root):
    return (*set_first_source(root, "https://pytorch.org:8443/docs"), "names a user or port")


def source_closing_its_link(root):
    return (*set_first_source(root, "https://pytorch.org/docs)[click](javascript:alert(1)"), "not a well-formed URL")


def source_on_lookalike_host(root):
    return (*set_first_source(root, "https://pytorch.org.evil.example/docs"), "is not on an allowed host")


def source_in_unlisted_github_org(root):
    return (*set_first_source(root, "https://github.com/someone-else/pytorch"), "is not on an allowed host")


# --- Markdown in plain text (injection) ----------------------------------------------------------

INJECTIONS = {
    "javascript_link": ("See [the docs](javascript:alert(document.domain)).", "a Markdown link"),
    "external_image": ("Tracked ![pixel](https://tracker.example/p.png) here.", "a Markdown link or image"),
    "reference_link": ("Click [here][x] now.", "a Markdown link"),
    "attribute_list_handler": ("Hover me{: onmouseover=\"alert(1)\" }", "attribute list"),
    "attribute_list_id": ("Anchor me {#legend}", "attribute list"),
    "second_h1": ("Fine.\n# A second page title", "block structure"),
    "table_block": ("Fine.\n| a | b |", "block structure"),
    "admonition_block": ("!!! danger \"Pwned\"", "block structure"),
    "html_image": ('<img src="x" onerror="alert(1)">', "an HTML tag"),
    "autolink_script": ("<javascript:alert(1)>", "an HTML tag or autolink"),
}


def injection_case(name, payload, fragment):
    def case(root):
        return (*set_note(root, payload), fragment)
    case.__name__ = f"injection_{name}"
    return case


def injection_in_title(root):
    path = any_topic(root)
    edit(path, lambda d: d.__setitem__("title", "Topic [x](javascript:alert(1))"))
    return rel(root, path), "title", "a Markdown link"


def injection_in_glance_api(root):
    path = any_topic(root)
    edit(path, lambda d: d["at_a_glance"]["frameworks"]["jax"].__setitem__("api", "`jax.jit`{: onclick=x }"))
    return rel(root, path), "at_a_glance.frameworks.jax.api", "attribute list"


# --- Notebooks -----------------------------------------------------------------------------------

def snippet_for_some_frameworks(root):
    replace_in(root, TENSORS, '# %% tags=["jax", "eager-arithmetic"]', "# %%")
    return TENSORS, "snippet eager-arithmetic", "has no cell for jax"


def unknown_framework_tag(root):
    replace_in(root, TENSORS, '# %% tags=["jax", "eager-arithmetic"]', '# %% tags=["mxnet", "eager-arithmetic"]')
    return TENSORS, "cell", "name no framework"


def measured_tag_on_markdown(root):
    replace_in(root, TENSORS, "# %% [markdown]\n", '# %% [markdown] tags=["measured"]\n')
    return TENSORS, "cell", "'measured' is on a markdown cell"


def script_in_notebook_markdown(root):
    replace_in(root, TENSORS, "# # Tensors and NumPy interop\n", "# # Tensors and NumPy interop\n#\n# <script>alert(1)</script>\n")
    return TENSORS, "cell", "contains HTML"


def external_image_in_notebook_markdown(root):
    replace_in(root, TENSORS, "# # Tensors and NumPy interop\n", "# # Tensors and NumPy interop\n#\n# ![x](https://tracker.example/p.png)\n")
    return TENSORS, "cell", "shows an image from"


def javascript_link_in_notebook_markdown(root):
    replace_in(root, TENSORS, "# # Tensors and NumPy interop\n", "# # Tensors and NumPy interop\n#\n# [docs](javascript:alert(1))\n")
    return TENSORS, "cell", "script URL"


def bidi_in_notebook_code(root):
    replace_in(root, TENSORS, "import numpy as np\n", "import numpy as np  # \u202e\n")
    return TENSORS, "cell", "U+202E"


CASES = [duplicate_key, alias_bomb, merge_key, nan_measurement, infinite_measurement, impossible_calendar_date,
         non_utf8_bytes, deep_nesting, python_object_tag, empty_file, list_at_top_level, yaml_extension, json_file,
         stray_file, unknown_folder, folder_named_yml, dangling_symlink, missing_support_levels, topic_named_index,
         category_named_legend, notebook_named_index, control_character, bidi_override, zero_width_space,
         non_ascii_digits_in_version, fullwidth_digits_in_applies_to, source_on_unlisted_host, source_with_userinfo,
         source_with_port, source_closing_its_link, source_on_lookalike_host, source_in_unlisted_github_org,
         *[injection_case(name, payload, fragment) for name, (payload, fragment) in INJECTIONS.items()],
         injection_in_title, injection_in_glance_api, snippet_for_some_frameworks, unknown_framework_tag,
         measured_tag_on_markdown,
         script_in_notebook_markdown, external_image_in_notebook_markdown, javascript_link_in_notebook_markdown,
         bidi_in_notebook_code]


@pytest.mark.parametrize("breakage", CASES, ids=[case.__name__ for case in CASES])
def test_hostile_input_names_file_key_path_and_fix(project, breakage):
    check_case(project, breakage)


def test_alias_bomb_is_refused_fast_and_in_a_short_line(project):
    alias_bomb(project)
    started = time.perf_counter()
    with pytest.raises(SiteInputError) as raised:
        load_site(project, today=TODAY)
    assert time.perf_counter() - started < 30
    assert all(len(str(error)) < 400 for error in errors_of(raised.value))


def test_a_huge_value_is_cut_in_the_message(project):
    path = feature_files(project)[0]
    edit(path, lambda d: first_cell(d).__setitem__("since", "x" * 1_000_000))
    with pytest.raises(SiteInputError) as raised:
        load_site(project, today=TODAY)
    error = next(e for e in errors_of(raised.value) if e.key_path == "features[0].cells.pytorch.since")
    assert len(str(error)) < 600 and "(1000002 characters)" in str(error)


def test_errors_come_in_one_batch_across_files(project):
    """Three files broken in three ways: one run reports all three."""
    expected = [missing_support_levels(project), control_character(project), json_file(project)]
    with pytest.raises(SiteInputError) as raised:
        load_site(project, today=TODAY)
    found = {(e.file, e.key_path) for e in errors_of(raised.value)}
    for file, key, _ in expected:
        assert any(f == file and k.startswith(key) for f, k in found), (file, key, found)


def test_the_batch_is_capped(project):
    for i in range(ERROR_BATCH_LIMIT + 10):
        (project / f"data/stray-{i:02}.txt").write_text("x")
    with pytest.raises(SiteInputError) as raised:
        load_site(project, today=TODAY)
    assert len(raised.value.errors) == ERROR_BATCH_LIMIT and raised.value.omitted == 10
    assert str(raised.value).splitlines()[-1] == "… and 10 more errors not shown — fix these first"


def test_the_corpus_holds_at_least_seventy_kinds():
    from test_data_errors import CASES as FIRST_CASES
    assert len({case.__name__ for case in FIRST_CASES + CASES}) >= 70
