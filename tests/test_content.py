"""The content promises of the site, as checks over the loaded data (issue 3's floors and rules)."""

from __future__ import annotations

import importlib.metadata

from content.loading import load_site

from conftest import ROOT

SITE = load_site(ROOT)


def test_matrix_breadth():
    features = [f for c in SITE.categories for f in c.features]
    assert len(features) >= 100 and len(SITE.categories) >= 12
    assert all(len(c.features) >= 5 for c in SITE.categories), "a category with too few features"


def test_keras_appears_as_a_route():
    via_keras = {f.id for c in SITE.categories for f in c.features for cell in f.cells.values() if cell.via_keras}
    assert len(via_keras) >= 10


def test_every_question_family_has_a_topic_page():
    # The per-topic minimums (timeline, verdict, sources, glance, questions) are the build's rules: see
    # content/models.py and the refusals in tests/test_data_errors.py.
    assert len(SITE.topics) >= 28


def test_topics_apply_to_the_versions_the_site_executes():
    installed = {f.id: importlib.metadata.version(f.distribution) for f in SITE.frameworks}
    for topic in SITE.topics:
        for framework_id, version in topic.applies_to.items():
            assert installed[framework_id].startswith(version + "."), (
                f"data/topics/{topic.id}.yml: applies_to.{framework_id} is {version} but the site executes "
                f"{installed[framework_id]} — review the page against it and update applies_to")


def test_claims_audit_covers_all_four_seeds_and_speed_claims_cite_measurements():
    # The seeds live outside the project; the build never reads them, but where they exist here the
    # article entries must name exactly those files.
    seeds = sorted(p.name for p in (ROOT.parent / "shared" / "seeds").glob("*.txt"))
    if seeds:
        assert sorted(a.seed_file for a in SITE.articles) == seeds
    assert len(SITE.articles) == 4
    assert {article_id for c in SITE.claims for article_id in c.made_by} == {a.id for a in SITE.articles}
    measured = [c for c in SITE.claims if any(e.measurement for e in c.evidence)]
    assert len(SITE.claims) >= 40 and len(measured) >= 5


def test_each_claim_is_audited_once():
    wordings = [" ".join(c.claim.lower().split()) for c in SITE.claims]
    assert len(wordings) == len(set(wordings)), "the same claim appears twice: merge the files and list both articles"


def test_decision_guide_covers_the_common_situations():
    ids = {s.id for s in SITE.situations}
    for required in ("learning-deep-learning", "research-prototype", "production-server", "phone-app",
                     "in-the-browser", "tpu-pod", "existing-tf1-codebase", "llm-fine-tuning"):
        assert required in ids
