"""A griffe extension: reads the Keras-style argument types of the docstrings.

The house style (Keras', keras-hub's) writes an argument's type at the start of
its description, `name: type. Description.`, not Google's `name (type):
Description.`, and the code carries few annotations, so mkdocstrings' "Type"
column was empty. This extension rewrites, in the docs build only, each `Args:`
entry whose leading phrase reads as a type (`int or None`, `` `keras.Model` ``,
`array `(n, d)``, `float in [0, 1]`, ...) into the Google form the parser reads.
A leading phrase that is prose (`the value to check`, `forwarded to ...`) is left
in the description. The source docstrings are not touched.

mkdocs.yml loads it: `plugins.mkdocstrings.handlers.python.options.extensions`.
"""

from __future__ import annotations

import re

import griffe

_SECTION = re.compile(r"^(?P<indent>[ ]*)(Args|Arguments):[ ]*$")
_ENTRY = re.compile(r"^(?P<name>\*{0,2}\w+):[ ]+(?P<rest>.*)$")
# The end of the type phrase: the first period followed by a space or the end.
_TYPE_END = re.compile(r"\.(?=\s|$)")
_WORDS = {
    "a", "an", "and", "array", "array-like", "bool", "boolean", "callable", "channels",
    "class", "config", "dict", "float", "float32", "ids", "image", "images", "instance",
    "int", "int32", "integer", "integers", "iterable", "list", "mapping", "name", "none",
    "of", "one-hot", "optimizer", "or", "path", "same", "scalar", "sequence", "shape", "str",
    "string", "tensor", "tensors", "the", "to", "tuple", "type", "uint8", "variable",
    "variables", "with",
}  # fmt: skip


def _is_type_phrase(phrase: str) -> bool:
    """Whether `phrase` is made of type words, code spans, shapes and ranges only."""
    if not phrase or len(phrase) > 90 or phrase.count("`") % 2:
        return False
    text = re.sub(r"`[^`]*`", " T ", phrase)
    previous = None
    while previous != text:  # parenthesised remarks, innermost first
        previous, text = text, re.sub(r"\([^()]*\)", " ", text)
    text = re.sub(r"\bin ([\[(][^\])]*[\])]|T\b)", " ", text)  # value ranges: in [0, 1)
    text = re.sub(r"(>=|<=|>|<) ?\w+", " ", text)  # bounds: >= 2
    tokens = [t for t in re.split(r"[\s,;/]+", text) if t]
    if not tokens or tokens[0].lower() in {"a", "an", "the", "and", "of", "or", "to", "with"}:
        return False
    return all(t == "T" or t.lower() in _WORDS for t in tokens)


def keras_style_to_google(docstring: str) -> str:
    """Rewrites `name: type. Description` entries of `Args:` as `name (type): Description`.

    Args:
        docstring: str. A cleaned (dedented) docstring.

    Returns:
        The docstring with each typed `Args:` entry in Google form; other
        lines unchanged.
    """
    lines = docstring.split("\n")
    out = []
    entry_indent = None
    i = 0
    while i < len(lines):
        line = lines[i]
        section = _SECTION.match(line)
        if section:
            entry_indent = len(section.group("indent")) + 4
            out.append(line)
            i += 1
            continue
        if entry_indent is not None and line.strip():
            indent = len(line) - len(line.lstrip(" "))
            if indent < entry_indent:
                entry_indent = None  # the Args section ended
        match = _ENTRY.match(line[entry_indent:]) if entry_indent is not None else None
        if match is None or len(line) - len(line.lstrip(" ")) != entry_indent:
            out.append(line)
            i += 1
            continue
        # The entry with its continuation lines (indented deeper).
        j = i + 1
        while j < len(lines) and lines[j].strip():
            if len(lines[j]) - len(lines[j].lstrip(" ")) <= entry_indent:
                break
            j += 1
        parts = [match.group("rest")] + [part.strip() for part in lines[i + 1 : j]]
        body = " ".join(parts)
        end = _TYPE_END.search(body)
        phrase = body[: end.start()] if end else ""
        if end and _is_type_phrase(phrase):
            # The line on which the type phrase ends; later lines stay as written.
            k, start = 0, 0
            while k + 1 < len(parts) and end.end() > start + len(parts[k]) + 1:
                start += len(parts[k]) + 1
                k += 1
            description = body[end.end() : start + len(parts[k])].strip()
            kind = re.sub(r"`([^`]*)`", r"\1", phrase).strip()
            out.append(f"{' ' * entry_indent}{match.group('name')} ({kind}): {description}")
            out.extend(lines[i + 1 + k : j])
        else:
            out.extend(lines[i:j])
        i = j
    return "\n".join(out)


class KerasStyleTypes(griffe.Extension):
    """Gives mkdocstrings the types written Keras-style in `Args:` entries."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None and "Args:" in obj.docstring.value:
            obj.docstring.value = keras_style_to_google(obj.docstring.value)
