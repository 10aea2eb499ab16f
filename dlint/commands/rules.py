"""``dlint rules`` and ``dlint explain``: the rule catalogue."""

from __future__ import annotations

import typer

from dlint.commands.common import fail


def rules(
    format: str = typer.Option("text", "--format", help="text, json or markdown (the README's index)."),
) -> None:
    """List the rules: code, name, severity, fixable and a summary."""
    from dlint.registry import all_rules

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


def explain(rule: str = typer.Argument(..., help="A rule code (DF101) or name (update-without-install).")) -> None:
    """Show a rule's documentation."""
    from dlint.registry import UnknownRule, lookup

    try:
        found = lookup(rule)
    except UnknownRule as error:
        raise fail(str(error))
    typer.echo(f"# {found.code} {found.name}\n")
    typer.echo(f"Severity: {found.severity.label}. Fixable: {'yes' if found.fixable else 'no'}.\n")
    typer.echo(found.summary + ".\n")
    typer.echo(found.doc)


