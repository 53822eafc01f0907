"""Read YAML while remembering where every key and value was written.

PyYAML composes the document into nodes that carry their line and column; we build plain
Python data from those nodes ourselves so that we can

* report duplicate keys (PyYAML silently keeps the last one),
* catch YAML 1.1 number traps (``01`` read as octal, ``1_0`` as ten, ``1:30`` as ninety),
* answer "where was this written?" for any path into the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from survey_engine.errors import Diagnostic

Path = tuple[Any, ...]

_PLAIN_INTEGER = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
#: libyaml's loader when PyYAML was built with it (about 5x faster), else the pure one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"


@dataclass
class Document:
    """Plain data read from a YAML file, with the node behind every path."""

    filename: str
    data: Any
    nodes: dict[Path, yaml.Node] = field(default_factory=dict)
    key_nodes: dict[Path, yaml.Node] = field(default_factory=dict)

    def position(self, path: Path, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path`` (or of its key).

        Falls back to the nearest enclosing path that was written in the file.
        """
        table = self.key_nodes if key else self.nodes
        probe = tuple(path)
        while probe:
            node = table.get(probe) or self.nodes.get(probe)
            if node is not None:
                return node.start_mark.line + 1, node.start_mark.column + 1
            probe = probe[:-1]
        root = self.nodes.get(())
        if root is None:
            return 1, 1
        return root.start_mark.line + 1, root.start_mark.column + 1

    def diagnostic(self, path: Path, message: str, code: str, key: bool = False,
                   offset: int = 0) -> Diagnostic:
        """A diagnostic pointing at ``path``; ``offset`` moves it inside a one-line value."""
        line, column = self.position(path, key)
        node = self.nodes.get(tuple(path))
        if offset and isinstance(node, yaml.ScalarNode) and node.start_mark.line == \
                node.end_mark.line:
            column += offset + (0 if is_plain(node) else 1)
        return Diagnostic(self.filename, line, column, message, code)

    def plain_text(self, path: Path) -> str | None:
        """The text of a plain (unquoted) scalar at ``path``, as written; else None."""
        node = self.nodes.get(tuple(path))
        if isinstance(node, yaml.ScalarNode) and is_plain(node):
            return str(node.value)
        return None


def is_plain(node: yaml.Node) -> bool:
    """Whether a scalar was written without quotes (libyaml says '', PyYAML says None)."""
    return not getattr(node, "style", None)


class _Builder:
    def __init__(self, loader: Any, document: Document) -> None:
        self.loader = loader
        self.document = document
        self.problems: list[Diagnostic] = []

    def fail(self, node: yaml.Node, message: str, code: str) -> None:
        self.problems.append(Diagnostic(self.document.filename, node.start_mark.line + 1,
                                        node.start_mark.column + 1, message, code))

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.document.nodes[path] = node
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == INT_TAG and is_plain(node) and not _PLAIN_INTEGER.match(node.value):
            value = self.loader.construct_object(node, deep=True)
            self.fail(node, f"{node.value!r} is read by YAML 1.1 as the number {value}; "
                            f"write {value}, or quote it if you mean the text",
                      "yaml11_number")
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a key must be a plain value, not a list or mapping",
                          "invalid_key")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "merge keys (<<) are not supported; write the keys out",
                          "merge_key")
                continue
            key = self._scalar(key_node)
            if isinstance(key, bool) or key is None:
                self.fail(key_node, f"the key {key_node.value!r} is read by YAML 1.1 as "
                                    f"{_yaml_word(key)}; quote it or write a number",
                          "yaml11_key")
                continue
            marker = key
            if marker in seen:
                first = seen[marker].start_mark.line + 1
                self.fail(key_node, f"duplicate key {key_node.value!r} (first written on line "
                                    f"{first})", "duplicate_key")
                continue
            seen[marker] = key_node
            self.document.key_nodes[(*path, key)] = key_node
            result[key] = self.build(value_node, (*path, key))
        return result


def _yaml_word(value: object) -> str:
    if value is None:
        return "null (nothing)"
    return "the boolean true" if value else "the boolean false"


def read_yaml(text: str, filename: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one YAML document; return it with every problem found on the way.

    A syntax error stops reading (nothing after it can be trusted) and returns no document.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or str(error)
        context = f" ({error.context})" if error.context else ""
        return None, [Diagnostic(filename, line, column, f"YAML syntax: {problem}{context}",
                                 "yaml_syntax")]
    except yaml.YAMLError as error:
        return None, [Diagnostic(filename, 1, 1, f"YAML: {error}", "yaml_syntax")]
    finally:
        loader.dispose()
    if root is None:
        return None, [Diagnostic(filename, 1, 1, "the file is empty", "empty_file")]
    document = Document(filename, None)
    builder = _Builder(loader, document)
    document.data = builder.build(root, ())
    return document, builder.problems
