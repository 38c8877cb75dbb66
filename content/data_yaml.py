"""Read one data/ YAML file so that it cannot lie or explode.

libyaml's CSafeLoader parses (fast: the warm rebuild depends on it); before anything is constructed,
the node graph is walked once to refuse what YAML would otherwise accept silently or expand without
bound. Every refusal is a `DataError` naming the file, the key path (or line) and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from .errors import DataError, shown
from .text_policy import invisible_character_problem

FLOAT_TAG = "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"
_NON_FINITE = re.compile(r"^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$")
_DATE = re.compile(r"^(\d{4})-(\d\d?)-(\d\d?)$")
# Real files nest 6 levels at most; anything far deeper is a mistake or an attack on the loader.
MAX_DEPTH = 40


class DataLoader(yaml.CSafeLoader):
    """CSafeLoader: YAML's safe subset, parsed by libyaml. The checks live in `read_data_yaml`."""


def _line(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _walk(node: yaml.Node, display_path: str) -> None:
    """Refuse aliases, merge keys, duplicate keys, non-finite numbers, impossible dates and
    invisible characters, before construction (which is where an alias bomb would explode)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str, int]] = [(node, "", 0)]
    while stack:
        current, where, depth = stack.pop()
        where_or_line = where or _line(current)
        if id(current) in seen:
            raise DataError(display_path, where_or_line,
                            f"uses a YAML alias (*name) of the anchor at {_line(current)}",
                            "write the value out in full: anchors and aliases are not allowed in data/")
        seen.add(id(current))
        if depth > MAX_DEPTH:
            raise DataError(display_path, where_or_line, f"nests deeper than {MAX_DEPTH} levels",
                            "flatten the structure (data files nest a few levels at most)")
        if isinstance(current, yaml.MappingNode):
            keys: dict[object, yaml.Node] = {}
            children = []
            for key_node, value_node in current.value:
                if key_node.tag == MERGE_TAG:
                    raise DataError(display_path, where_or_line, "uses a YAML merge key (<<)",
                                    "write the keys out in full: merge keys are not allowed in data/")
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
                child = f"{where}.{key}" if where else str(key)
                if key in keys:
                    raise DataError(display_path, child,
                                    f"the key appears twice ({_line(keys[key])} and {_line(key_node)})",
                                    "keep one of them: YAML would silently keep only the last")
                keys[key] = key_node
                children += [(key_node, child, depth + 1), (value_node, child, depth + 1)]
            stack.extend(reversed(children))  # document order: the first reuse of an anchor is the one named
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed([(item, f"{where}[{index}]", depth + 1) for index, item in enumerate(current.value)]))
        else:
            _check_scalar(current, display_path, where_or_line)


def _check_scalar(node: yaml.ScalarNode, display_path: str, where: str) -> None:
    if node.tag == FLOAT_TAG and _NON_FINITE.match(node.value):
        raise DataError(display_path, where, f"{node.value} is not a finite number",
                        "write a measured, finite value (or leave the entry out)")
    if node.tag == TIMESTAMP_TAG:
        match = _DATE.match(node.value)
        try:
            if match:
                dt.date(*(int(part) for part in match.groups()))
            else:
                yaml.CSafeLoader(node.value).get_single_data()
        except ValueError:
            raise DataError(display_path, where, f"{shown(node.value)} is not a real calendar date",
                            "write an existing date as YYYY-MM-DD") from None
    problem = invisible_character_problem(node.value)
    if problem:
        raise DataError(display_path, where, problem, "delete the character (retype the text if unsure)")


def read_data_yaml(path: Path, display_path: str) -> object:
    """The data in one YAML file, or a DataError: unreadable, not UTF-8, invalid YAML or refused above."""
    if path.is_dir():
        raise DataError(display_path, "(whole file)", "is a folder, not a file",
                        "rename the folder so its name does not end in .yml")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        missing = "is a symbolic link to a file that does not exist" if path.is_symlink() else "does not exist"
        raise DataError(display_path, "(whole file)", missing,
                        "restore the file (git checkout) or remove the link") from None
    except OSError as error:
        raise DataError(display_path, "(whole file)", f"cannot be read ({error.strerror})",
                        "check the file's permissions") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise DataError(display_path, f"line {line}", f"is not UTF-8 text (byte 0x{raw[error.start]:02x})",
                        "save the file as UTF-8") from None
    loader = DataLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _walk(node, display_path)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(whole file)"
        problem = getattr(error, "problem", None) or "is not valid YAML"
        raise DataError(display_path, where, f"YAML syntax error: {problem}",
                        "check indentation and quoting at that spot (quote text containing ': ')") from None
    finally:
        loader.dispose()
