"""The editor schemas in data/schema/ are generated from the models and must not go stale."""

from content.schema import SCHEMA_DIR, SCHEMAS, schema_text


def test_committed_schemas_match_the_models():
    for name, model in SCHEMAS.items():
        committed = (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(model), f"data/schema/{name}.schema.json is stale: run `make schema`"


def test_vscode_maps_every_schema():
    import json
    from conftest import ROOT

    mapping = json.loads((ROOT / ".vscode/settings.json").read_text())["yaml.schemas"]
    assert {f"./data/schema/{name}.schema.json" for name in SCHEMAS} == set(mapping)
