"""mkdocs-macros entry point: registration only. The logic lives in the sibling modules."""

from __future__ import annotations

from . import audit, code_size, matrix, offline, performance, rosetta_pages, topics, versions
from .rendering import spoken_list
from .snippets import snippet_tabs


def define_env(env):
    # hooks/pipeline.py loaded and executed everything in on_config, before this runs.
    build = env.conf["rosetta"]
    site, executed = build.site, build.executed

    def page_src() -> str:
        # Links are written relative to the page being rendered.
        return env.page.file.src_uri

    @env.macro
    def framework_names() -> str:
        """The frameworks' names in column order, as a sentence says them ('A, B and C')."""
        return spoken_list([f.name for f in site.frameworks])

    @env.macro
    def feature_matrix() -> str:
        return matrix.matrix_page(site, page_src())

    measured_sections = {
        "code-size": lambda: code_size.code_size_table(site, executed),
        "performance": lambda: performance.performance_section(site),
    }

    @env.macro
    def topic_page(topic_id: str) -> str:
        return topics.topic_page(site, executed, topic_id, page_src(), measured_sections)

    @env.macro
    def topic_index() -> str:
        return topics.topic_index(site, page_src())

    @env.macro
    def framework_page(framework_id: str) -> str:
        return topics.framework_page(site, executed, framework_id, page_src())

    @env.macro
    def framework_index() -> str:
        return topics.framework_index(site, executed, page_src())

    @env.macro
    def migration_index() -> str:
        return rosetta_pages.migration_index(site, page_src())

    @env.macro
    def notebook_tabs(notebook: str, snippet: str) -> str:
        return snippet_tabs(site, executed, notebook, snippet, page_src())

    @env.macro
    def notebook_index() -> str:
        return topics.notebook_index(site, executed, page_src())

    @env.macro
    def versions_table() -> str:
        return versions.versions_page(site, executed, page_src())

    @env.macro
    def rosetta_category(category_id: str) -> str:
        return rosetta_pages.rosetta_category_page(site, category_id, page_src())

    @env.macro
    def rosetta_index() -> str:
        return rosetta_pages.rosetta_index(site, page_src())

    @env.macro
    def migration_guide(guide_id: str) -> str:
        return rosetta_pages.migration_guide(site, guide_id, page_src())

    @env.macro
    def claims_audit() -> str:
        return audit.claims_audit(site, page_src())

    @env.macro
    def offline_download() -> str:
        return offline.download_link(env.conf["rosetta_offline_zip"] is not None, page_src())

    @env.macro
    def decision_guide() -> str:
        return audit.decision_guide(site, page_src())
