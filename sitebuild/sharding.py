"""Execute the notebooks in shards (one CI runner each) and merge the shards' caches for one build.

    python -m sitebuild.sharding execute --shard 2/3     # `make execute SHARD=2/3`
    python -m sitebuild.sharding merge .cache shard-1 shard-2 shard-3

A shard executes its share of the notebooks into the content-keyed cache (ROSETTA_CACHE_DIR, or .cache/)
exactly as a build would, skipping those already cached for the same inputs. Merged, the caches hold every
notebook and the build that follows executes none.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .build_cache import cache_dir
from content.errors import SiteInputError
from .execution import execute_all, tracked_distributions
from content.loading import load_site

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_CACHE = "notebooks"  # the folder execute_all writes inside a cache directory


def parse_shard(text: str) -> tuple[int, int]:
    """'2/3' → (2, 3); shards count from 1."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        index = count = 0
    if not 1 <= index <= count:
        raise SystemExit(f"SHARD={text!r}: not a shard — fix: write INDEX/COUNT with 1 ≤ INDEX ≤ COUNT, e.g. 2/3")
    return index, count


def shard_names(names: list[str], index: int, count: int) -> list[str]:
    """The notebooks of shard `index` of `count`: every count-th name in sorted order, so shards never overlap."""
    return sorted(names)[index - 1::count]


def merge_caches(destination: Path, sources: list[Path]) -> int:
    """Copy every executed notebook in `sources` into `destination`; returns how many were copied."""
    target = Path(destination) / NOTEBOOK_CACHE
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for source in sources:
        for path in sorted((Path(source) / NOTEBOOK_CACHE).glob("*")):
            if path.is_file() and path.suffix in (".ipynb", ".log") and Path(source).resolve() != Path(destination).resolve():
                shutil.copy2(path, target / path.name)
                copied += path.suffix == ".ipynb"
    return copied


def execute_shard(root: Path, index: int, count: int, cache: Path, workers: int = 2) -> list[str]:
    site = load_site(root)
    names = shard_names(list(site.notebooks), index, count)
    print(f"shard {index}/{count}: {len(names)} of {len(site.notebooks)} notebooks: {', '.join(names)}", flush=True)
    execute_all({name: site.notebooks[name] for name in names}, root, cache,
                tracked_distributions(site.frameworks, site.tools), workers=workers,
                log=lambda line: print(line, flush=True))
    return names


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sitebuild.sharding", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    execute = commands.add_parser("execute", help="execute one shard of the notebooks into the cache")
    execute.add_argument("--shard", default="1/1", help="INDEX/COUNT, e.g. 2/3 (default: all notebooks)")
    execute.add_argument("--workers", type=int, default=2)
    merge = commands.add_parser("merge", help="merge shard caches into one cache directory")
    merge.add_argument("destination", type=Path)
    merge.add_argument("sources", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "merge":
        print(f"merged {merge_caches(args.destination, args.sources)} executed notebooks into {args.destination}")
        return
    index, count = parse_shard(args.shard)
    try:
        execute_shard(ROOT, index, count, cache_dir(ROOT), args.workers)
    except SiteInputError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
