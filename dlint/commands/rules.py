"""``dlint rules`` and ``dlint explain``: the rule catalogue."""

from __future__ import annotations

import typer

from dlint.commands.common import fail


def rules(
    format: str = typer.Option("text", "--format", help="text, json or markdown (the README's index)."),
    hadolint: bool = typer.Option(
        False, "--hadolint", help="Show which hadolint codes map to which dlint rules (for .hadolint.yaml and pragmas)."
    ),
    buildkit: bool = typer.Option(
        False, "--buildkit", help="Show which BuildKit checks (docker build --check) map to which dlint rules."
    ),
) -> None:
    """List the rules: code, name, severity, fixable and a summary."""
    from dlint.registry import all_rules

    if hadolint:
        typer.echo(hadolint_table(format), nl=False)
        return
    if buildkit:
        typer.echo(buildkit_table(format), nl=False)
        return

    items = all_rules()
    if format == "json":
        import json

        data = [
            {"code": r.code, "name": r.name, "severity": r.severity.label, "fixable": r.fixable,
             "enabled": r.enabled, "summary": r.summary}
            for r in items
        ]
        typer.echo(json.dumps(data, indent=2))
    elif format == "markdown":
        typer.echo(rule_index_markdown(), nl=False)
    elif format == "text":
        for r in items:
            fixable = "fix" if r.fixable else "   "
            typer.echo(f"{r.code}  {r.name:<36} {r.severity.label:<8} {fixable}  {r.summary}")
    else:
        raise fail(f"unknown format {format!r} for `dlint rules` (use text, json or markdown)")


def rule_index_markdown() -> str:
    from dlint.registry import all_rules

    lines = ["| Code | Name | Severity | Fix | Summary |", "|---|---|---|---|---|"]
    for r in all_rules():
        lines.append(
            f"| {r.code} | `{r.name}` | {r.severity.label} | {'yes' if r.fixable else ''} | {r.summary} |"
        )
    return "\n".join(lines) + "\n"


def explain(
    rule: str = typer.Argument(
        ..., help="A rule code (DF101) or name (update-without-install), a hadolint code (DL3008) or a "
                  "BuildKit check name (UndefinedVar)."
    ),
) -> None:
    """Show a rule's documentation (for a hadolint code or a BuildKit check: the dlint rule it
    maps to)."""
    from dlint.hadolint_map import HADOLINT_TO_DLINT, dlint_code
    from dlint.registry import UnknownRule, lookup

    try:
        found = lookup(rule)
    except UnknownRule as error:
        hadolint = rule.strip().upper()
        if dlint_code(hadolint):
            found = lookup(dlint_code(hadolint))
            typer.echo(f"hadolint's {hadolint} ({HADOLINT_TO_DLINT[hadolint][1]}) is dlint's {found.code} "
                       f"{found.name}; see `dlint rules --hadolint`.\n")
        elif hadolint.startswith(("DL", "SC")) and hadolint[2:].isdigit():
            from dlint.hadolint_map import HADOLINT_NOT_COVERED

            why = HADOLINT_NOT_COVERED.get(hadolint)
            raise fail(f"{hadolint} is a hadolint rule with no dlint equivalent"
                       f"{': ' + why if why else ''} (see `dlint rules --hadolint`)")
        else:
            found = _buildkit_rule(rule)
            if found is None:
                raise fail(str(error))
    typer.echo(f"# {found.code} {found.name}\n")
    typer.echo(f"Severity: {found.severity.label}. Fixable: {'yes' if found.fixable else 'no'}.\n")
    typer.echo(found.summary + ".\n")
    typer.echo(found.doc)


def _buildkit_rule(name: str):
    """The dlint rule a BuildKit check name maps to (saying so), or None when ``name`` is no
    BuildKit check; a check dlint does not cover is a one-line error with the reason."""
    from dlint.buildkit_map import BUILDKIT_TO_DLINT, check_named
    from dlint.registry import lookup

    check = check_named(name)
    if check is None:
        return None
    code, what = BUILDKIT_TO_DLINT[check]
    if code is None:
        raise fail(f"{check} is a BuildKit check with no dlint equivalent: {what} (see `dlint rules --buildkit`)")
    found = lookup(code)
    typer.echo(f"BuildKit's {check} ({what}) is dlint's {found.code} {found.name}; see `dlint rules --buildkit`.\n")
    return found


def hadolint_table(format: str = "text") -> str:
    """The hadolint → dlint mapping (:mod:`dlint.hadolint_map`) as text, JSON or Markdown:
    the codes dlint covers, then the others with the reason they are not covered."""
    from dlint.hadolint_map import HADOLINT_NOT_COVERED, HADOLINT_TO_DLINT

    return _mapping_table(
        "hadolint", HADOLINT_TO_DLINT, HADOLINT_NOT_COVERED, format,
        "dlint skips them in .hadolint.yaml and pragmas",
    )


def buildkit_table(format: str = "text") -> str:
    """BuildKit's checks → dlint rules (:mod:`dlint.buildkit_map`), as text, JSON or Markdown."""
    from dlint.buildkit_map import BUILDKIT_TO_DLINT

    covered = {name: (code, what) for name, (code, what) in BUILDKIT_TO_DLINT.items() if code}
    missing = {name: what for name, (code, what) in BUILDKIT_TO_DLINT.items() if not code}
    return _mapping_table("buildkit", covered, missing, format, "dlint ignores them in # check=skip=")


def _mapping_table(tool: str, covered: dict, missing: dict, format: str, skipped: str) -> str:
    from dlint.registry import lookup

    rows = [(theirs, code, lookup(code).name, what) for theirs, (code, what) in covered.items()]
    if format == "json":
        import json

        data = [{tool: t, "dlint": d, "name": n, f"{tool}_summary": w} for t, d, n, w in rows]
        data += [{tool: t, "dlint": None, "name": None, "reason": why} for t, why in missing.items()]
        return json.dumps(data, indent=2) + "\n"
    if format == "markdown":
        lines = [f"| {tool} | dlint | Name | {tool} checks, or why dlint does not |", "|---|---|---|---|"]
        lines += [f"| {t} | {d} | `{n}` | {w} |" for t, d, n, w in rows]
        lines += [f"| {t} | | | {why} |" for t, why in missing.items()]
        return "\n".join(lines) + "\n"
    if format != "text":
        raise fail(f"unknown format {format!r} for `dlint rules` (use text, json or markdown)")
    width = max((len(t) for t in [*covered, *missing]), default=0)
    lines = [f"{t:<{width}}  ->  {d}  {n:<32} {w}" for t, d, n, w in rows]
    lines += [f"{t:<{width}}  --  not covered: {why}" for t, why in missing.items()]
    lines.append(f"{len(covered)} covered, {len(missing)} not; {skipped} when not covered.")
    return "\n".join(lines) + "\n"
