"""Everything the pages are built from, loaded and validated once: the typed models of data/, the YAML
loader and text policy, the cross-file checks, the editor schemas, notebook sources, and the Rosetta
rows' runtime and API-name resolution. Errors name the file, the key path and the fix."""
