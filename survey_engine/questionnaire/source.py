"""Read YAML while remembering where every key and value was written.

PyYAML composes the document into nodes that carry their line and column; we build plain
Python data from those nodes ourselves so that we can

* report duplicate keys (PyYAML silently keeps the last one),
* catch YAML 1.1 number traps (``01`` read as octal, ``1_0`` as ten, ``1:30`` as ninety),
* refuse what YAML can say but a questionnaire cannot mean: tags (``!foo``,
  ``!!python/name:``), values that only look like dates or numbers, aliases that contain
  themselves or expand without end, nesting deep enough to exhaust the stack,
* answer "where was this written?" for any path into the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml

from survey_engine.errors import Diagnostic

Path = tuple[Any, ...]

_PLAIN_INTEGER = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
#: libyaml's loader when PyYAML was built with it (about 5x faster), else the pure one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"
STR_TAG, INT_TAG, FLOAT_TAG = _CORE + "str", _CORE + "int", _CORE + "float"
BOOL_TAG, NULL_TAG, TIMESTAMP_TAG = _CORE + "bool", _CORE + "null", _CORE + "timestamp"
_SCALAR_TAGS = {STR_TAG, INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG, TIMESTAMP_TAG}
_COLLECTION_TAGS: dict[type[yaml.Node], str] = {yaml.MappingNode: _CORE + "map",
                                                yaml.SequenceNode: _CORE + "seq"}
#: Deeper than any questionnaire or script needs; far below what exhausts a stack.
MAX_DEPTH = 100
#: Values that aliases may repeat in all, so that an "alias bomb" stops at once.
MAX_ALIASED_VALUES = 100_000
_UNREADABLE = {"No such file or directory": "no such file", "Is a directory": "is a directory",
               "Permission denied": "permission denied"}


@dataclass
class Document:
    """Plain data read from a YAML file, with the node behind every path."""

    filename: str
    data: Any
    nodes: dict[Path, yaml.Node] = field(default_factory=dict)
    key_nodes: dict[Path, yaml.Node] = field(default_factory=dict)
    #: Paths whose value or key YAML could not give (already reported): checks skip them.
    broken: set[Path] = field(default_factory=set)

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

    def leading_blanks(self, path: Path) -> int:
        """How many blanks the scalar at ``path`` starts with (values are checked stripped;
        this puts offsets into them back where they were written)."""
        node = self.nodes.get(tuple(path))
        if not isinstance(node, yaml.ScalarNode):
            return 0
        text = str(node.value)
        return len(text) - len(text.lstrip())

    def plain_text(self, path: Path, key: bool = False) -> str | None:
        """The text of a plain (unquoted) scalar at ``path`` (or of its key), as written;
        else None."""
        node = (self.key_nodes if key else self.nodes).get(tuple(path))
        if isinstance(node, yaml.ScalarNode) and is_plain(node):
            return str(node.value)
        return None

    def is_list(self, path: Path) -> bool:
        """Whether the value at ``path`` was written as a list."""
        return isinstance(self.nodes.get(tuple(path)), yaml.SequenceNode)


def is_plain(node: yaml.Node) -> bool:
    """Whether a scalar was written without quotes (libyaml says '', PyYAML says None)."""
    return not getattr(node, "style", None)


def shown_tag(tag: str) -> str:
    """A tag as an author writes it: ``!!int`` for the core ones, else as resolved."""
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def _shown(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


class _TooLarge(Exception):
    """Stops building a document whose aliases expand beyond :data:`MAX_ALIASED_VALUES`."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__()
        self.node = node


class _Builder:
    """Builds plain data from composed nodes, recording every node's path and every
    problem on the way."""

    def __init__(self, loader: Any, document: Document) -> None:
        self.loader = loader
        self.document = document
        self.problems: list[Diagnostic] = []
        self.stack: list[tuple[yaml.Node, bool]] = []  # collections being built; via alias?
        self.seen: set[int] = set()
        self.copies = 0
        self.resolved: dict[str, str] = {}

    def fail(self, node: yaml.Node, message: str, code: str) -> None:
        self.problems.append(Diagnostic(self.document.filename, node.start_mark.line + 1,
                                        node.start_mark.column + 1, message, code))

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.document.nodes[path] = node
        if any(node is entry for entry, _ in self.stack):
            self.fail(self.stack[-1][0], "an alias here refers to a value that contains it; "
                                         "a value cannot contain itself", "recursive_alias")
            self.document.broken.add(path)
            return None
        again = id(node) in self.seen
        self.seen.add(id(node))
        if again:
            self.copies += 1
            if self.copies > MAX_ALIASED_VALUES:
                raise _TooLarge(self._outermost_alias())
        if isinstance(node, yaml.ScalarNode):
            value, sound = self._scalar(node)
            if not sound:
                self.document.broken.add(path)
            return value
        if not isinstance(node, yaml.CollectionNode) or \
                node.tag != _COLLECTION_TAGS.get(type(node)):
            self.fail(node, f"YAML tags like {shown_tag(node.tag)} are not supported; write "
                            "plain lists and mappings", "yaml_tag")
            self.document.broken.add(path)
            return None
        self.stack.append((node, again))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        finally:
            self.stack.pop()

    def _implicit_tag(self, text: str) -> str:
        """The tag YAML gives ``text`` written plain. Keys and values repeat a lot in a
        questionnaire (``id``, ``type``, ``text``...), so resolutions are remembered."""
        tag = self.resolved.get(text)
        if tag is None:
            tag = self.resolved[text] = self.loader.resolve(yaml.ScalarNode, text,
                                                            (True, False))
        return tag

    def _outermost_alias(self) -> yaml.Node:
        """The collection holding the outermost alias being expanded (where it is written),
        or the innermost collection when the current node is that alias."""
        for (parent, _), (_, aliased) in zip(self.stack, self.stack[1:], strict=False):
            if aliased:
                return parent
        return self.stack[-1][0]

    def _scalar(self, node: yaml.Node) -> tuple[Any, bool]:
        """The value of a scalar and whether it is sound: its text as written (with a
        problem) when it cannot be built or carries a tag we do not take."""
        tag, text = node.tag, str(node.value)
        written_as = self._implicit_tag(text)
        implicit = is_plain(node) and written_as == tag
        if tag not in _SCALAR_TAGS:
            if not implicit:
                self.fail(node, f"YAML tags like {shown_tag(tag)} are not supported; remove "
                                "it (quote the value if you mean text)", "yaml_tag")
            return text, implicit  # '=' and '<<' written plain are text
        if not implicit and tag != STR_TAG and written_as != tag and \
                (tag, written_as) != (FLOAT_TAG, INT_TAG):
            self.fail(node, f"{_shown(text)} cannot be read as {shown_tag(tag)}; remove the "
                            "tag, or write a valid value", "yaml_value")
            return text, False
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ArithmeticError, LookupError, TypeError, ValueError):
            self.fail(node, _unbuildable(text, tag), "yaml_value")
            return text, False
        if implicit and tag in (INT_TAG, FLOAT_TAG) and _is_yaml11_number(tag, text):
            self.fail(node, f"{text!r} is read by YAML 1.1 as the number {value}; "
                            f"write {value}, or quote it if you mean the text",
                      "yaml11_number")
        return value, True

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
            key, sound = self._scalar(key_node)
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
            if not sound:
                self.document.broken.add((*path, key))
            result[key] = self.build(value_node, (*path, key))
        return result


def _is_yaml11_number(tag: str, text: str) -> bool:
    """Whether a plain number is written in a way only YAML 1.1 reads as one (``01``,
    ``0x1F``, ``1_000``, ``1:30``)."""
    if tag == INT_TAG:
        return not _PLAIN_INTEGER.match(text)
    return "_" in text or ":" in text


def _unbuildable(text: str, tag: str) -> str:
    """Why a plain value of type ``tag`` could not be built (``2019-02-30``, a huge int)."""
    if tag == TIMESTAMP_TAG:
        what = "a date" if len(text.strip()) <= 10 else "a date and time"
        return f"{_shown(text)} looks like {what} to YAML but is not a valid one; quote it " \
               "if you mean text"
    return f"{_shown(text)} cannot be read as {shown_tag(tag)}; quote it if you mean text"


def _yaml_word(value: object) -> str:
    if value is None:
        return "null (nothing)"
    return "the boolean true" if value else "the boolean false"


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character ``index`` of ``text``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _too_deep(text: str, filename: str) -> Diagnostic | None:
    """A diagnostic when values nest deeper than :data:`MAX_DEPTH` (composing such a
    document would overflow the stack, even libyaml's); None otherwise. Only reads events,
    which needs no recursion; syntax errors are left to the real parse."""
    if sum(text.count(mark) for mark in "[{-:?") <= MAX_DEPTH:
        return None
    def too_deep(mark: Any) -> Diagnostic:
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Diagnostic(filename, line, column,
                          f"values nest more than {MAX_DEPTH} levels deep", "too_deep")

    loader = _Loader(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return too_deep(event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        # libyaml 0.2.6 and later refuse deep nesting themselves, while scanning ahead of
        # the events ("exceeded maximum nesting depth"); other errors are the parse's.
        if "nesting depth" in (error.problem or ""):
            return too_deep(error.problem_mark)
        return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def _syntax_problem(error: yaml.YAMLError, text: str, filename: str) -> Diagnostic:
    """One diagnostic, on one line, for a YAML error that stops reading."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or str(error)
        context = f" ({error.context})" if error.context else ""
        return Diagnostic(filename, line, column, f"YAML syntax: {problem}{context}",
                          "yaml_syntax")
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.character, int):
        # The reader stops at the first such character; libyaml counts its position in
        # bytes, so look for it instead.
        line, column = _position(text, max(text.find(chr(error.character)), 0))
        return Diagnostic(filename, line, column, f"YAML syntax: the character "
                          f"U+{error.character:04X} is not allowed ({error.reason})",
                          "yaml_syntax")
    return Diagnostic(filename, 1, 1, "YAML: " + " ".join(str(error).split()), "yaml_syntax")


def read_yaml(text: str, filename: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one YAML document; return it with every problem found on the way.

    A syntax error, nesting deeper than :data:`MAX_DEPTH` or aliases that expand beyond
    :data:`MAX_ALIASED_VALUES` stop reading (nothing after can be trusted) and return no
    document.
    """
    too_deep = _too_deep(text, filename)
    if too_deep is not None:
        return None, [too_deep]
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as error:
        return None, [_syntax_problem(error, text, filename)]
    finally:
        loader.dispose()
    if root is None:
        return None, [Diagnostic(filename, 1, 1, "the file is empty", "empty_file")]
    document = Document(filename, None)
    builder = _Builder(loader, document)
    try:
        document.data = builder.build(root, ())
    except _TooLarge as stop:
        mark = stop.node.start_mark
        return None, [*builder.problems, Diagnostic(
            filename, mark.line + 1, mark.column + 1, f"the document expands to more than "
            f"{MAX_ALIASED_VALUES:,} values through aliases", "alias_expansion")]
    return document, builder.problems


def read_file(path: str | FilePath) -> tuple[str | None, list[Diagnostic]]:
    """The text of a UTF-8 file, or one diagnostic at 1:1 (or at the bad byte) saying why
    it cannot be read: ``FILE:1:1: cannot read: is a directory``."""
    name = str(path)
    try:
        raw = FilePath(path).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        reason = _UNREADABLE.get(reason, reason[:1].lower() + reason[1:])
        code = "no_file" if isinstance(error, FileNotFoundError) else "unreadable"
        return None, [Diagnostic(name, 1, 1, f"cannot read: {reason}", code)]
    return decode_text(raw, name)


def decode_text(raw: bytes, name: str) -> tuple[str | None, list[Diagnostic]]:
    """``raw`` as UTF-8 text, or one diagnostic at the first bad byte (an uploaded file is
    checked as a file on disk is)."""
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        return None, [Diagnostic(name, raw.count(b"\n", 0, error.start) + 1,
                                 error.start - line_start + 1, f"not UTF-8 text "
                                 f"({error.reason} at byte {error.start})", "encoding")]
