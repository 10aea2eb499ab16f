"""Finding rules by code, name or code prefix (``DF1``), wherever users name them."""

from __future__ import annotations

from dlint.rule import Rule


def all_rules() -> tuple[Rule, ...]:
    from dlint.rules import ALL_RULES

    return ALL_RULES


class UnknownRule(ValueError):
    pass


def is_subcode(selector: str) -> bool:
    """A code a rule reports under a code of its own: ShellCheck's ``SC2086``."""
    wanted = selector.strip().upper()
    return len(wanted) == 6 and wanted.startswith("SC") and wanted[2:].isdigit()


def resolve(selector: str) -> list[Rule]:
    """Rules a selector names: a code (``DF101``), a name (``update-without-install``), a code
    prefix (``DF1``) or ``ALL``."""
    wanted = selector.strip()
    rules = all_rules()
    if wanted.upper() == "ALL":
        return list(rules)
    by_name = [r for r in rules if r.name == wanted.lower() or r.code == wanted.upper()]
    if by_name:
        return by_name
    if is_subcode(wanted):  # ShellCheck's SC2086: reported by the rule SC
        return [r for r in rules if r.code == "SC"]
    if wanted.upper().startswith("DF"):
        by_prefix = [r for r in rules if r.code.startswith(wanted.upper())]
        if by_prefix:
            return by_prefix
    raise UnknownRule(f"unknown rule {selector!r} (see `dlint rules`)")


def lookup(selector: str) -> Rule:
    wanted = selector.strip()
    for rule in all_rules():
        if rule.code == wanted.upper() or rule.name == wanted.lower():
            return rule
    raise UnknownRule(f"unknown rule {selector!r} (see `dlint rules`)")
