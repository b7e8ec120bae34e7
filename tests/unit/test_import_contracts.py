"""The layers of the house, enforced (an equivalent of import-linter, which is not installed).

Every module of the project is parsed with ``ast``; its imports (top level, inside functions, relative ones)
are resolved to project modules, and checked against these contracts:

1. The bottom: ``scheduler`` (the standalone planning engine) and ``rules`` (the shared vocabulary and the
   pure rules) import nothing of conference/ or decisions/, and not each other: scheduler is an engine with
   its own zone handling and CLI, rules are the domain's words and numbers. ``conference.invitations`` (the
   pure iMIP and privacy library) sits with them: it imports only ``rules``.
2. The platform (configuration, database, audit, accounts and access, the outbox and mail, security, display
   filters, forms, URLs, logs): imports only the bottom and the platform.
3. The features, in the order of the journey: directory, cases, convening, decisions, dashboard and
   planning. Each imports only the bottom, the platform and the features before it.
4. On top, the views and the CLI (``*.views``, ``*_views``, ``*.cli``), the app factory, the model registry,
   the demo loaders, the migrations and ``wsgi``: they may import anything.
5. No view module reaches the session directly (``from conference.extensions import db``): views call
   services and queries. ``KNOWN_VIOLATIONS`` and ``KNOWN_LAYER_VIOLATIONS`` are empty and must stay so.

The last test of each contract feeds it a deliberate violation, so each contract is seen to be able to fail.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("conference", "decisions", "rules", "scheduler")
TOP_LEVEL_MODULES = ("wsgi",)

#: Features in the order of the journey: each may import the ones before it.
FEATURES = (
    "conference.directory",
    "conference.cases",
    "conference.convening",
    "conference.safety",
    "decisions",
    "conference.dashboard",
    "conference.planning",
)
#: Modules that live at the top of conference/ but belong to a feature.
FEATURE_MODULES = {"conference.availability_picture": "conference.convening", "conference.case_retention": "decisions"}
#: The top of the house: the app factory, the model registry, demo loaders, migrations, the WSGI entry point.
TOP = (
    "conference",
    "conference.models",
    "conference.demo",
    "conference.demo_history",
    "conference.demo_safety",
    "conference.demo_duty",
    "conference.demo_referrals",
    "conference.demo_partners",
    "conference.demo_planning",
    "conference.migrate",
    "conference.migrations",
    "conference.mailcatcher",
    "decisions.demo_history",
    "wsgi",
)

#: Imports that break a layer today (the set may only stay empty). The last ones were the platform's accounts
#: reaching into the directory for User.agency: the relationship now names "Agency" by string, and the platform reads
#: it through the protocols in conference/auth/models.py.
KNOWN_LAYER_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()

#: View modules that still import the database session directly: none since every view moved its session work into
#: services and queries. The set may only stay empty (the test fails when a view imports the session).
KNOWN_VIOLATIONS: frozenset[str] = frozenset()


# --- reading the project -------------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "versions" in path.relative_to(ROOT).parts:
                continue  # migration scripts: written once, never imported
            found[_module_name(path)] = path
    for name in TOP_LEVEL_MODULES:
        found[name] = ROOT / f"{name}.py"
    return found


def _is_project(name: str) -> bool:
    return name.split(".")[0] in PACKAGES + TOP_LEVEL_MODULES


def imports_of(module: str, source: str, known: set[str] | None = None) -> set[str]:
    """The project modules that ``source`` (the text of ``module``) imports, anywhere in the file."""
    known = known if known is not None else set(project_modules())
    is_package = module in {"conference", "decisions", "rules", "scheduler"} or f"{module}.__init__" in known
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return {name for name in found if name and _is_project(name)}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


# --- the layers ----------------------------------------------------------------------------------------


def layer_of(module: str) -> str:
    """``bottom:<group>``, ``platform``, ``feature:<n>`` or ``top``."""
    last = module.rsplit(".", 1)[-1]
    if _within(module, "scheduler"):
        return "bottom:scheduler"
    if _within(module, "rules"):
        return "bottom:rules"
    if _within(module, "conference.invitations"):
        return "bottom:invitations"
    if last in {"views", "cli"} or last.endswith("_views") or any(_within(module, t) for t in TOP if t != "conference"):
        return "top"
    if module == "conference":
        return "top"
    for prefix, feature in FEATURE_MODULES.items():
        if _within(module, prefix):
            return f"feature:{FEATURES.index(feature)}"
    for index, feature in enumerate(FEATURES):
        if _within(module, feature):
            return f"feature:{index}"
    if _within(module, "conference"):
        return "platform"
    raise AssertionError(f"{module} has no layer: add it to the contracts")


#: What each bottom group may import besides itself.
BOTTOM_ALLOWED = {"bottom:scheduler": set(), "bottom:rules": set(), "bottom:invitations": {"bottom:rules"}}


def allowed(importer: str, imported: str) -> bool:
    source, target = layer_of(importer), layer_of(imported)
    if source == "top" or source == target:
        return True
    if source.startswith("bottom:"):
        return target in BOTTOM_ALLOWED[source]
    if target == "top":
        return False
    if source == "platform":
        return target.startswith("bottom:")
    # a feature: the bottom, the platform, and the features before it
    if target.startswith("bottom:") or target == "platform":
        return True
    return int(target.split(":")[1]) < int(source.split(":")[1])


def layer_offences(
    sources: dict[str, str], known_violations: frozenset[tuple[str, str]] = KNOWN_LAYER_VIOLATIONS
) -> list[str]:
    known = set(project_modules()) | set(sources)
    offences, seen = [], set()
    for module, source in sorted(sources.items()):
        for imported in sorted(imports_of(module, source, known)):
            if not allowed(module, imported):
                seen.add((module, imported))
                if (module, imported) not in known_violations:
                    offences.append(f"{module} ({layer_of(module)}) imports {imported} ({layer_of(imported)})")
    offences += [
        f"{m} no longer imports {i}: remove it from KNOWN_LAYER_VIOLATIONS" for m, i in sorted(known_violations - seen)
    ]
    return offences


def _sources() -> dict[str, str]:
    return {name: path.read_text(encoding="utf-8") for name, path in project_modules().items()}


def test_every_module_has_a_layer() -> None:
    for module in project_modules():
        layer_of(module)


def test_the_layers_hold() -> None:
    assert layer_offences(_sources()) == []


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("rules.clock", "from conference.db import utcnow"),  # the bottom reaches up
        ("rules.quorum", "from scheduler.model import Role"),  # rules and scheduler stay apart
        ("scheduler.solver", "import rules.vocabulary"),
        ("conference.invitations.calendar", "from conference.extensions import db"),
        ("conference.audit", "from conference.cases.models import Case"),  # the platform reaches a feature
        ("conference.outbox.mail", "from conference.convening import services"),
        ("conference.cases.services", "from conference.convening.models import Conference"),  # a later feature
        ("decisions.recording.services", "from conference.dashboard import queries"),
        ("decisions.nrm.services", "from decisions.sign_off import views"),  # a feature reaches a view
        ("conference.convening.services", "from conference.convening import views"),  # a feature reaches a view
        ("conference.directory.services", "from . import views"),  # relative imports resolve too
    ],
)
def test_the_layer_contract_can_fail(module: str, line: str) -> None:
    sources = _sources()
    sources[module] = sources[module] + "\n" + line + "\n"
    assert layer_offences(sources), f"{line!r} in {module} should break a contract"


def test_a_known_layer_violation_that_is_gone_must_be_removed_from_the_list() -> None:
    sources = _sources()
    known = frozenset({("conference.auth.admin", "conference.directory.models")})
    assert layer_offences(sources, known) == [
        "conference.auth.admin no longer imports conference.directory.models: remove it from KNOWN_LAYER_VIOLATIONS"
    ]


# --- the scheduler and rules stay free of the web and the database ------------------------------------


def _forbidden(key: str) -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["convene"]["import-rules"][key])


def _top_names(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(("package", "key"), [("scheduler", "scheduler_forbidden"), ("rules", "rules_forbidden")])
def test_the_bottom_imports_no_web_or_database_code(package: str, key: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    forbidden = _forbidden(key)
    offences = {str(p.relative_to(ROOT)): sorted(_top_names(p.read_text()) & forbidden) for p in files}
    assert {k: v for k, v in offences.items() if v} == {}
    assert _top_names("from flask import g\nimport sqlalchemy.orm\n") & forbidden == {"flask", "sqlalchemy"}


# --- views do not reach the session -------------------------------------------------------------------


def _is_view(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "views" or last.endswith("_views")


def imports_the_session(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in {"conference.extensions", "conference.database"}:
            if any(alias.name in {"db", "session"} for alias in node.names):
                return True
        if isinstance(node, ast.Import) and any(a.name == "conference.extensions" for a in node.names):
            return True
    return False


def session_offenders(sources: dict[str, str]) -> set[str]:
    return {m for m, source in sources.items() if _is_view(m) and imports_the_session(source)}


def view_offences(sources: dict[str, str], known: frozenset[str] = KNOWN_VIOLATIONS) -> list[str]:
    offenders = session_offenders(sources)
    problems = [f"{m} imports the session: call a service or a query instead" for m in offenders - known]
    problems += [f"{m} no longer imports the session: remove it from KNOWN_VIOLATIONS" for m in known - offenders]
    return sorted(problems)


def test_views_do_not_import_the_session_except_the_known_ones() -> None:
    assert view_offences(_sources()) == []


def test_the_view_contract_can_fail() -> None:
    sources = _sources()
    clean = sorted(m for m in sources if _is_view(m) and m not in KNOWN_VIOLATIONS)
    assert clean, "no compliant view module left to check against"
    offending = dict(sources)
    offending[clean[0]] += "\nfrom conference.extensions import db\n"
    assert view_offences(offending) == [f"{clean[0]} imports the session: call a service or a query instead"]
    listed = clean[0]  # a view listed as offending that complies must be taken off the list
    assert view_offences(sources, known=frozenset({listed})) == [
        f"{listed} no longer imports the session: remove it from KNOWN_VIOLATIONS"
    ]


def test_the_audit_log_reads_no_flask_and_the_session_scope_uses_no_private_flask_name() -> None:
    audit = (ROOT / "conference" / "audit.py").read_text(encoding="utf-8")
    assert "flask" not in _top_names(audit), "conference/audit.py takes who and which request from AuditContext"
    database = (ROOT / "conference" / "database.py").read_text(encoding="utf-8")
    assert "_cv_app" not in database
