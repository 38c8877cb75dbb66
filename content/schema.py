"""Generate data/schema/*.schema.json from the typed models: `python -m content.schema`.

tests/test_schema.py regenerates them and fails when the committed files are stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from .models import (Claim, FeatureCategory, Framework, MigrationGuide, NotebookOrder, RosettaCategory, SeedArticle,
                     SourceHosts, Situation, Tool, Topic)
from .vocabularies import ClaimVerdicts, DifferenceKinds, SupportLevels

SCHEMAS = {
    "framework": Framework,
    "tool": Tool,
    "support-levels": SupportLevels,
    "difference-kinds": DifferenceKinds,
    "claim-verdicts": ClaimVerdicts,
    "notebook-order": NotebookOrder,
    "feature-category": FeatureCategory,
    "topic": Topic,
    "seed-article": SeedArticle,
    "claim": Claim,
    "situation": Situation,
    "rosetta-category": RosettaCategory,
    "migration-guide": MigrationGuide,
    "source-hosts": SourceHosts,
}
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "schema"


def schema_text(model) -> str:
    schema = model.model_json_schema()
    source = model.__module__.replace(".", "/") + ".py"
    schema["$comment"] = f"Generated from {source} ({model.__name__}) by `python -m content.schema`; do not edit."
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name, model in SCHEMAS.items():
        (SCHEMA_DIR / f"{name}.schema.json").write_text(schema_text(model), encoding="utf-8")
        print(f"wrote data/schema/{name}.schema.json")


if __name__ == "__main__":
    main()
