"""Import rules, read from the source with `ast` (nothing is imported): no cycles, no upward imports.

Every import counts, at module level or inside a function, because an import inside a function is
still a dependency (and a favourite way to hide a cycle). Imports under `if TYPE_CHECKING:` count for
the layer rules (a type is a dependency too) but not for cycles: they never run, and services naming
`bot.wiring.Services` in annotations is the intended way to type the composition root.
"""

from __future__ import annotations

import ast
import itertools
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage", "sandbox")
SLACK_LIBRARIES = ("slack_sdk", "slack_bolt")


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is and how it runs."""

    source: str  # the importing module, e.g. "bot.services.sync.run"
    target: str  # the imported module, e.g. "bot.services.connections"
    path: str  # the importing file, relative to the repository
    line: int
    type_checking: bool  # under `if TYPE_CHECKING:`: never runs

    def __str__(self) -> str:
        where = " (TYPE_CHECKING)" if self.type_checking else ""
        return f"{self.path}:{self.line} imports {self.target}{where}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, path: str, is_package: bool, known: set[str]) -> None:
        self.module, self.path, self.is_package, self.known = module, path, is_package, known
        self.imports: list[Import] = []
        self._type_checking = 0

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            self._type_checking += 1
            for child in node.body:
                self.visit(child)
            self._type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def _add(self, target: str, line: int) -> None:
        self.imports.append(Import(self.module, target, self.path, line, self._type_checking > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.module.split(".")
            if not self.is_package:
                anchor.pop()
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        self._add(base, node.lineno)
        for alias in node.names:  # `from pkg import submodule` imports the submodule too
            if f"{base}.{alias.name}" in self.known:
                self._add(f"{base}.{alias.name}", node.lineno)


def _collect() -> list[Import]:
    files = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    known = {_module_name(p) for p in files}
    found: list[Import] = []
    for path in files:
        collector = _Collector(
            _module_name(path), str(path.relative_to(ROOT)), path.name == "__init__.py", known
        )
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found.extend(collector.imports)
    return found


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return _collect()


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _violations(imports: list[Import], *, source: str, forbidden: Iterable[str]) -> list[str]:
    banned = tuple(forbidden)
    return [str(i) for i in imports if _within(i.source, [source]) and _within(i.target, banned)]


def _fail_on(violations: list[str], rule: str) -> None:
    if violations:
        pytest.fail(f"{rule}:\n  " + "\n  ".join(violations), pytrace=False)


# --- Cycles ----------------------------------------------------------------------------------------------


def _cycles(edges: dict[str, set[str]]) -> Iterator[list[str]]:
    """Strongly connected components with more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> Iterator[list[str]]:
        # iterative Tarjan would be longer; the graph is a few hundred modules deep at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                yield from visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                yield sorted(component)

    for node in sorted(edges):
        if node not in index:
            yield from visit(node)


def _path_in(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """One concrete cycle through the component's first module, for the message."""
    members = set(component)
    start = component[0]
    seen = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(edges.get(node, set()) & members):
            if nxt == start:
                return [*seen[node], start]
            if nxt not in seen:
                seen[nxt] = [*seen[node], nxt]
                queue.append(nxt)
    return component


def test_no_import_cycles_in_bot_and_storage(imports: list[Import]) -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    runtime = [
        i
        for i in imports
        if not i.type_checking
        and _within(i.source, ["bot", "storage"])
        and _within(i.target, ["bot", "storage"])
    ]
    modules = {i.source for i in imports}
    edges: dict[str, set[str]] = {}
    where: dict[tuple[str, str], Import] = {}
    for i in runtime:
        # a module's own packages are initialised before it runs: importing from them is no cycle
        if i.target in modules and not _within(i.source, [i.target]):
            edges.setdefault(i.source, set()).add(i.target)
            where.setdefault((i.source, i.target), i)
    found = []
    for component in _cycles(edges):
        path = _path_in(component, edges)
        steps = [str(where[(a, b)]) for a, b in itertools.pairwise(path) if (a, b) in where]
        found.append(" → ".join(path) + "\n    " + "\n    ".join(steps))
    _fail_on(found, "import cycles (runtime imports, function-level ones included)")


# --- Layers ----------------------------------------------------------------------------------------------


# The one module of value types every layer of bot may import: `Region`, its names, country codes.
SHARED_VALUES = "bot.amazon.regions"


def test_blocks_and_viewmodels_import_only_view_models_and_the_stdlib(imports: list[Import]) -> None:
    found = [
        str(i)
        for i in imports
        if _within(i.source, ["bot.blocks", "bot.viewmodels"])
        and i.target.split(".")[0] not in sys.stdlib_module_names
        and not _within(i.target, ["bot.viewmodels"])
        and not (_within(i.source, ["bot.blocks"]) and _within(i.target, ["bot.blocks"]))
        and not (_within(i.source, ["bot.viewmodels"]) and i.target == SHARED_VALUES)
    ]
    _fail_on(
        found,
        "bot.blocks imports only bot.blocks, bot.viewmodels and the stdlib; bot.viewmodels only itself "
        f"and {SHARED_VALUES}",
    )


def test_the_shared_value_module_imports_only_the_stdlib(imports: list[Import]) -> None:
    found = [
        str(i)
        for i in imports
        if i.source == SHARED_VALUES and i.target.split(".")[0] not in sys.stdlib_module_names
    ]
    _fail_on(found, f"{SHARED_VALUES} is imported by every layer: it imports only the stdlib")


def test_services_import_no_listener_side_package_and_no_slack_library(imports: list[Import]) -> None:
    upward = ("bot.features", "bot.listeners", "bot.web", "bot.jobs", "bot.cli", "bot.app", "bot.runtime")
    _fail_on(
        _violations(imports, source="bot.services", forbidden=upward),
        "bot.services must not import features, listeners, web, jobs, cli or the app",
    )
    _fail_on(
        _violations(imports, source="bot.services", forbidden=[*SLACK_LIBRARIES, "bot.slack"]),
        "bot.services must not import slack_sdk, slack_bolt or the Slack adapters (bot.slack): "
        "depend on a port in bot.services.slack_ports instead",
    )


def test_services_import_nothing_from_blocks(imports: list[Import]) -> None:
    """Services hand view-models to ports and renderers: amounts (`Money`, ratios, counts, None for "not
    loaded"), country codes, and their own sentences as `Mrkdwn` (`bot.viewmodels.text`). Formatting and
    Block Kit are `bot.blocks`' alone, so services import nothing from it."""
    found = [
        str(i) for i in imports if _within(i.source, ["bot.services"]) and _within(i.target, ["bot.blocks"])
    ]
    _fail_on(
        found,
        "bot.services must not import bot.blocks: put amounts in the view-model and format them in a "
        "renderer (escaped text: bot.viewmodels.text)",
    )


def test_features_do_not_import_web_jobs_or_cli(imports: list[Import]) -> None:
    _fail_on(
        _violations(imports, source="bot.features", forbidden=["bot.web", "bot.jobs", "bot.cli"]),
        "bot.features must not import bot.web, bot.jobs or bot.cli",
    )


def test_storage_imports_neither_bot_nor_slack(imports: list[Import]) -> None:
    _fail_on(
        _violations(imports, source="storage", forbidden=["bot", *SLACK_LIBRARIES]),
        "storage must not import bot, slack_sdk or slack_bolt",
    )


def test_amazon_client_stands_alone(imports: list[Import]) -> None:
    found = [
        str(i)
        for i in imports
        if _within(i.source, ["bot.amazon"])
        and (
            (_within(i.target, ["bot"]) and not _within(i.target, ["bot.amazon"]))
            or _within(i.target, ["storage", *SLACK_LIBRARIES])
        )
    ]
    _fail_on(found, "bot.amazon must not import the rest of bot, storage, slack_sdk or slack_bolt")


def test_sandbox_imports_neither_bot_nor_storage(imports: list[Import]) -> None:
    _fail_on(
        _violations(imports, source="sandbox", forbidden=["bot", "storage"]),
        "sandbox must not import bot or storage",
    )


def test_the_collector_sees_function_level_and_type_checking_imports(imports: list[Import]) -> None:
    """Guards the guard: the rules above are only as good as what the parser finds."""
    mine = [i for i in imports if i.source == "bot.services.permissions"]
    assert any(i.type_checking and i.target == "bot.wiring" for i in mine)
    assert any(i.target == "bot.services.slack_ports" for i in mine)
    tree = ast.parse("def f():\n    from bot.web import server\n")
    collector = _Collector("bot.services.x", "bot/services/x.py", False, {"bot.web.server"})
    collector.visit(tree)
    assert [i.target for i in collector.imports] == ["bot.web", "bot.web.server"]
