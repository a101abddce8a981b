"""Collecting problems, each attributed to the file its value came from.

With ``extends`` and ``--set``, the values of one scenario come from several places. The
:class:`Collector` remembers which file gave each key (:meth:`Collector.record`) so that a
problem names the file to edit, not just the file that was loaded. A problem that several
values cause together (no fallback destination, an unreachable destination) names the
source of the latest of them (:meth:`Collector.blame`): the ``--set`` options among them, or
else the extending file rather than the base it changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from nkroutes.scenario.errors import Problem, ScenarioError
from nkroutes.scenario.paths import is_table_list, join_path
from nkroutes.scenario.suggest import closest

#: How messages name a value set on the command line (``--set key.path=value``).
OVERRIDE_FILE = "--set"

#: A number or boolean as a problem shows it: what an unquoted ``--set`` value becomes.
_BARE_SCALAR = re.compile(r"[-+]?[0-9][0-9_.eE+-]*|true|false")

Parts = tuple[str | int, ...]


def item_part(item: Any, index: int) -> str | int:
    """The path part of an array item: its id if it has a string one, else its position."""
    item_id = item.get("id") if isinstance(item, Mapping) else None
    return item_id if isinstance(item_id, str) and item_id else index


class Collector:
    """Problems found so far, and where each value of the scenario came from.

    Args:
        default_file: The file named when a value's origin is unknown (a missing key: the
            file that was loaded).
    """

    def __init__(self, default_file: str) -> None:
        self.default_file = default_file
        self.problems: list[Problem] = []
        self._origin: dict[Parts, str] = {}
        # What each recorded path held: "table", "array" (of tables) or "" (a value).
        self._kind: dict[Parts, str] = {}
        self._rank: dict[str, int] = {}
        self._overrides: dict[Parts, str] = {}
        # New items of an extending file whose id is close to one of the base's: the base's
        # label and that id; then the index of their problem and the keys they lack.
        self._new_items: dict[Parts, tuple[str, str]] = {}
        self._incomplete: dict[Parts, tuple[int, list[str]]] = {}

    def record(self, data: Any, file: str, prefix: Parts = ()) -> None:
        """Remember that the values in ``data`` come from ``file``.

        Values overwrite earlier origins (the later file wins, as in the merge); tables
        and array items keep the file that first defined them, unless this file puts
        another kind of value where they were (a table for a number, say): then it is
        this file's, as the merge makes it.

        Args:
            data: Data read from ``file`` (or one override value).
            file: Its label.
            prefix: The path of ``data`` in the scenario.
        """
        self._rank.setdefault(file, len(self._rank))
        kind = "table" if isinstance(data, Mapping) else "array" if is_table_list(data) else ""
        if kind and self._kind.get(prefix, kind) == kind:
            self._origin.setdefault(prefix, file)
        else:  # a value, or a table or array where another kind of value was: this file's
            self._origin[prefix] = file
        self._kind[prefix] = kind
        if isinstance(data, Mapping):
            for key, value in data.items():
                self.record(value, file, (*prefix, str(key)))
        elif is_table_list(data):
            for i, item in enumerate(data):
                self.record(item, file, (*prefix, item_part(item, i)))

    def record_override(self, value: Any, file: str, prefix: Parts, text: str) -> None:
        """Remember that a command-line override set the value at ``prefix``.

        Args:
            value: The value set.
            file: The label of overrides (``"--set"``), named in problems with the value.
            prefix: The path of the value.
            text: The override as the user would write it (``"--set a.b=1"``), named in
                problems the value causes together with others (see :meth:`blame`).
        """
        self.record(value, file, prefix)
        self._overrides[prefix] = text

    def blame(self, paths: Iterable[Parts]) -> str:
        """The source to name for a problem that the values at ``paths`` cause together.

        Args:
            paths: The paths of the values that together make the problem.

        Returns:
            The overrides among them, as written (``"--set a.b=1, --set c.d=2"``, the first
            three and how many more), if any; else the file read last among the files they
            come from (an extending file is read after its base); else the loaded file.
        """
        paths = list(paths)
        texts: list[str] = []
        for path in paths:
            text = next(
                (t for n in range(len(path), 0, -1) if (t := self._overrides.get(path[:n]))),
                None,
            )
            if text is not None and text not in texts:
                texts.append(text)
        if texts:
            more = f" (and {len(texts) - 3} more)" if len(texts) > 3 else ""
            return ", ".join(texts[:3]) + more
        files = [self.file_for(path) for path in paths]
        return max(files, key=lambda f: self._rank.get(f, -1), default=self.default_file)

    def new_item(self, path: Parts, base_ids: Iterable[str], base: str) -> None:
        """Remember that an extending file adds an item rather than changing one of the base's.

        If the item's id is close to one of ``base_ids`` and the item lacks required keys,
        :meth:`missing` reports one problem at its id, suggesting the base's id (a misspelt
        id in a what-if makes a new, incomplete item instead of changing the intended one).

        Args:
            path: The item's path (the array's path and the new id).
            base_ids: The ids of the items of that array in the extended scenario.
            base: The extended file's label.
        """
        suggestion = closest(str(path[-1]), base_ids)
        if suggestion is not None:
            self._new_items[path] = (base, suggestion)

    def missing(self, path: Parts, found: str, expected: str) -> None:
        """Record that a required key, table or array is missing at ``path``.

        In a new item of an extending file whose id looks like a misspelt id of the base
        (see :meth:`new_item`), the missing keys make one problem at the item's id, with the
        base's id as suggestion; elsewhere this is :meth:`add`.

        Args:
            path: The missing key's path.
            found: What was found (nothing).
            expected: What the key would allow.
        """
        item = next(
            (path[:n] for n in range(len(path) - 1, 0, -1) if path[:n] in self._new_items), None
        )
        if item is None:
            self.add(path, found, expected)
            return
        base, suggestion = self._new_items[item]
        index, lacks = self._incomplete.setdefault(item, (len(self.problems), []))
        lacks.append(join_path(path[len(item) :]))
        array = join_path(item[:-1])
        problem = Problem(
            self.file_for((*item, "id")),
            join_path((*item, "id")),
            f'"{item[-1]}", an id that {base} does not have, so a new [[{array}]] item, which '
            f"lacks {', '.join(lacks)}",
            "the id of an existing item (to change it), or a new item with all its required keys",
            suggestion,
        )
        if index == len(self.problems):
            self.problems.append(problem)
        else:
            self.problems[index] = problem

    def file_for(self, path: Parts) -> str:
        """The file the value at ``path`` (or its nearest recorded parent) came from."""
        for n in range(len(path), 0, -1):
            file = self._origin.get(path[:n])
            if file is not None:
                return file
        return self.default_file

    def add(
        self,
        path: Parts,
        found: str,
        expected: str,
        suggestion: str | None = None,
        file: str | None = None,
        because: Iterable[Parts] | None = None,
    ) -> None:
        """Record a problem with the value at ``path``.

        Args:
            path: Key path of the value (keys, ids, or positions of items without an id).
            found: What was found.
            expected: What is allowed.
            suggestion: A likely intended name, or ``None``.
            file: The file to name; by default the file the value came from.
            because: For a problem that several values cause together, their paths: the
                source named is then :meth:`blame` of them.
        """
        if file is None:
            file = self.file_for(path) if because is None else self.blame(because)
        if (
            file == OVERRIDE_FILE
            and suggestion is None
            and expected.startswith("a string")
            and _BARE_SCALAR.fullmatch(found)
        ):  # --set reads TOML: 2025 is a number; "2025", quoted past the shell, is text
            suggestion = f'{join_path(path)}="{found}"'
        self.problems.append(Problem(file, join_path(path), found, expected, suggestion))

    def has_problem_at(self, path: Parts) -> bool:
        """Whether a problem was recorded at ``path`` itself (a table or array gone wrong)."""
        where = join_path(path)
        return any(problem.path == where for problem in self.problems)

    def raise_if_any(self) -> None:
        """Raise :class:`ScenarioError` with every problem collected, if there are any."""
        if self.problems:
            raise ScenarioError(self.problems)
