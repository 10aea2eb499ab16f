"""Configuration: finding, reading and strictly checking ``.dlint.toml`` / ``[tool.dlint]``.

Where settings come from, lowest first (a later layer overrides an earlier one):

1. the rules' defaults;
2. a hadolint file (``--hadolint-config``, or the ``hadolint-config`` key), mapped through
   :mod:`dlint.hadolint_map` — a migration aid, never read unless asked for;
3. the dlint config file: ``--config PATH`` (or ``DLINT_CONFIG``) for every file, else the
   nearest ``.dlint.toml`` or ``pyproject.toml`` with a ``[tool.dlint]`` table, walking up
   from each linted file's directory to the repository root (the directory holding ``.git``);
   ``--isolated`` skips config files;
4. the command line (and ``DLINT_FORMAT`` for the format).

Mistakes are errors, never silently ignored: :class:`ConfigError` carries one line naming the
file, the key and what is allowed, and the CLI exits with status 2.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Mapping

from dlint.files import display_path as display
from dlint.rule import SEVERITY_NAMES as SEVERITIES, Rule, Severity
from dlint.startup import TYPE_CHECKING, lazy_pattern

if TYPE_CHECKING:
    from typing import Any

CONFIG_NAMES = (".dlint.toml", "pyproject.toml")  # looked for in this order in each directory
KEYS = (
    "exclude",
    "extend-ignore",
    "extend-select",
    "failure-threshold",
    "format",
    "hadolint-config",
    "ignore",
    "no-fail",
    "rules",
    "select",
    "severity",
)
RULE_SELECTOR = "a rule code, name or code prefix; see `dlint rules`"


class ConfigError(Exception):
    """A configuration mistake; ``str()`` is the one-line message for users."""


class Config:
    """One layer of settings. ``None`` (or empty) means "not set in this layer". A plain class,
    not a dataclass: see benchmarks/README.md on start-up."""

    __slots__ = ("source", "root", "select", "extend_select", "ignore", "extend_ignore", "severity", "options",
                 "failure_threshold", "no_fail", "format", "exclude", "respect_pragmas", "warnings")

    def __init__(
        self,
        source: str | None = None,  # the file it came from, for messages
        root: str | None = None,  # the directory ``exclude`` globs and paths are relative to
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
        extend_ignore: list[str] | None = None,
        severity: dict[str, Severity] | None = None,  # rule code -> severity
        options: dict[str, dict[str, Any]] | None = None,  # rule code -> options
        failure_threshold: Severity | None = None,
        no_fail: bool | None = None,
        format: str | None = None,
        exclude: list[str] | None = None,
        respect_pragmas: bool | None = None,  # hadolint's disable-ignore-pragma
        warnings: list[str] | None = None,  # shown once on standard error
    ) -> None:
        self.source = source
        self.root = root
        self.select = select
        self.extend_select = extend_select or []
        self.ignore = ignore
        self.extend_ignore = extend_ignore or []
        self.severity = severity or {}
        self.options = options or {}
        self.failure_threshold = failure_threshold
        self.no_fail = no_fail
        self.format = format
        self.exclude = exclude or []
        self.respect_pragmas = respect_pragmas
        self.warnings = warnings or []

    def __repr__(self) -> str:
        return "Config(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__) + ")"

    def overlay(self, top: "Config") -> "Config":
        """This layer with ``top`` on it: scalars and ``select``/``ignore`` are replaced,
        ``extend-*`` lists add up, severities and options merge per rule."""
        options = {code: dict(values) for code, values in self.options.items()}
        for code, values in top.options.items():
            options.setdefault(code, {}).update(values)
        return Config(
            source=top.source or self.source,
            root=top.root or self.root,
            select=top.select if top.select is not None else self.select,
            extend_select=self.extend_select + top.extend_select,
            ignore=top.ignore if top.ignore is not None else self.ignore,
            extend_ignore=self.extend_ignore + top.extend_ignore,
            severity={**self.severity, **top.severity},
            options=options,
            failure_threshold=_first(top.failure_threshold, self.failure_threshold),
            no_fail=_first(top.no_fail, self.no_fail),
            format=_first(top.format, self.format),
            exclude=top.exclude if top.exclude else self.exclude,
            respect_pragmas=_first(top.respect_pragmas, self.respect_pragmas),
            warnings=self.warnings + top.warnings,
        )

    def is_excluded(self, path: str) -> bool:
        """Whether ``exclude`` names this file: a glob without ``/`` matches any file or
        directory name on the path; one with ``/`` matches the path relative to the config's
        directory (``*`` crosses ``/``, so ``vendor/*`` covers the whole tree)."""
        if not self.exclude:
            return False
        root = self.root or os.getcwd()
        relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        parts = relative.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        for pattern in self.exclude:
            pattern = pattern.strip("/")
            if "/" in pattern:
                if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
                    return True
            elif any(fnmatch.fnmatchcase(part, pattern) for part in parts):
                return True
        return False


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


# ---------------------------------------------------------------------------------------------
# Reading and validating dlint's own file


def _load_toml(path: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{display(path)}: cannot read the config file: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{display(path)}: invalid TOML: {error}") from None


# Where a pyproject.toml can hold dlint's settings: a [tool.dlint…] header or a dotted
# tool.dlint.… key anywhere, or a `dlint = {…}` / `dlint.… =` key in the [tool] table.
_TOOL_DLINT = lazy_pattern(rb"""tool["']?\s*\.\s*["']?dlint\b""")
_TOOL_HEADER = lazy_pattern(rb"""\[\s*["']?tool["']?\s*\]""")
_DLINT_KEY = lazy_pattern(rb"""(?:dlint|"dlint"|'dlint')\s*[.=]""")


def _may_hold_dlint(path: str) -> bool:
    """Whether a pyproject.toml can have a dlint table, judged from its bytes: most have none,
    and then no TOML parser is loaded (start-up time). An unreadable file counts as a yes, so
    that reading it reports the error."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return True
    if b"dlint" not in data:
        return False
    if _TOOL_DLINT().search(data):
        return True
    in_tool = False
    for line in data.splitlines():
        line = line.strip()
        if line.startswith(b"["):
            in_tool = _TOOL_HEADER().match(line) is not None
        elif in_tool and _DLINT_KEY().match(line):
            return True
    return False


def read_table(path: str) -> tuple[dict, str] | None:
    """The dlint table of a config file and the prefix its keys are named with in messages;
    None for a ``pyproject.toml`` without ``[tool.dlint]``."""
    if os.path.basename(path) == "pyproject.toml" and not _may_hold_dlint(path):
        return None  # most pyproject.toml files: no need to load a TOML parser (start-up time)
    data = _load_toml(path)
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "dlint" not in tool:
            return None
        table = tool["dlint"]
        if not isinstance(table, dict):
            raise ConfigError(f"{display(path)}: tool.dlint: expected a table, got {_kind(table)}")
        return table, "tool.dlint."
    return data, ""


def load_file(path: str) -> Config:
    """Read and check one dlint config file (``.dlint.toml`` or ``pyproject.toml``)."""
    found = read_table(path)
    if found is None:
        raise ConfigError(f"{display(path)}: no [tool.dlint] table in this pyproject.toml")
    table, prefix = found
    return parse_table(table, path, prefix)


def parse_table(table: Mapping[str, Any], path: str, prefix: str = "") -> Config:
    checker = _Checker(display(path), prefix)
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        checker.fail(unknown[0], "unknown key", f"allowed: {', '.join(KEYS)}")
    root = os.path.dirname(os.path.abspath(path))
    config = Config(source=display(path), root=root)
    for key, (attribute, read) in _READERS.items():
        if key in table:
            setattr(config, attribute, read(checker, key, table[key]))
    if "hadolint-config" in table:
        value = checker.string("hadolint-config", table["hadolint-config"], "a path to a .hadolint.yaml")
        config = load_hadolint(os.path.join(root, value)).overlay(config)
    return config


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, list):
        odd = next((item for item in value if not isinstance(item, str)), None)
        return "a list" if odd is None else f"a list holding {_kind(odd)}"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class _Checker:
    """Type and value checks that fail with ``file: key: problem (allowed: …)``."""

    def __init__(self, source: str, prefix: str) -> None:
        self.source = source
        self.prefix = prefix

    def fail(self, key: str, problem: str, allowed: str) -> None:
        raise ConfigError(f"{self.source}: {self.prefix}{key}: {problem} ({allowed})")

    def expect(self, key: str, value: Any, expected: str) -> None:
        self.fail(key, f"wrong type: got {_kind(value)}", f"allowed: {expected}")

    def string(self, key: str, value: Any, expected: str) -> str:
        if not isinstance(value, str):
            self.expect(key, value, expected)
        return value

    def strings(self, key: str, value: Any, expected: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.expect(key, value, expected)
        return list(value)

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.expect(key, value, "true or false")
        return value

    def choice(self, key: str, value: Any, allowed: Iterable[str]) -> str:
        allowed = tuple(allowed)
        if not isinstance(value, str) or value.lower() not in allowed:
            shown = repr(value) if isinstance(value, str) else _kind(value)
            self.fail(key, f"unknown value {shown}", f"allowed: {', '.join(allowed)}")
        return value.lower()

    def selectors(self, key: str, value: Any) -> list[str]:
        from dlint.registry import UnknownRule, resolve

        items = self.strings(key, value, "a list of rule codes, names or code prefixes")
        for item in items:
            try:
                resolve(item)
            except UnknownRule:
                self.fail(key, f"unknown rule {item!r}", f"allowed: {RULE_SELECTOR}")
        return items

    def severities(self, key: str, value: Any) -> dict[str, Severity]:
        from dlint.registry import UnknownRule, resolve

        if not isinstance(value, dict):
            self.expect(key, value, "a table of rule = severity")
        resolved: dict[str, Severity] = {}
        # Prefixes first, exact codes and names last, so the most specific entry wins.
        for selector in sorted(value, key=lambda s: (_is_exact(s), len(s))):
            level = self.choice(f"{key}.{selector}", value[selector], SEVERITIES)
            try:
                rules = resolve(selector)
            except UnknownRule:
                self.fail(f"{key}.{selector}", "unknown rule", f"allowed: {RULE_SELECTOR}")
            for rule in rules:
                resolved[rule.code] = Severity.parse(level)
        return resolved

    def rule_options(self, key: str, value: Any) -> dict[str, dict[str, Any]]:
        from dlint.registry import UnknownRule, lookup

        if not isinstance(value, dict):
            self.expect(key, value, "a table of rule tables, e.g. [rules.DF106]")
        options: dict[str, dict[str, Any]] = {}
        for selector, values in value.items():
            where = f"{key}.{selector}"
            try:
                rule = lookup(selector)
            except UnknownRule:
                self.fail(where, "unknown rule", "allowed: a rule code or name; see `dlint rules`")
            if not isinstance(values, dict):
                self.expect(where, values, "a table of option = value")
            for name, option in values.items():
                self.option(f"{where}.{name}", rule, name, option)
            options.setdefault(rule.code, {}).update(values)
        return options

    def option(self, key: str, rule: Rule, name: str, value: Any) -> None:
        if name not in rule.options:
            allowed = ", ".join(rule.options) if rule.options else f"none; {rule.code} has no options"
            self.fail(key, "unknown option", f"allowed: {allowed}")
        default = rule.options[name]
        if isinstance(default, bool):
            self.boolean(key, value)
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                self.expect(key, value, "an integer")
        elif isinstance(default, list):
            for item in self.strings(key, value, "a list of strings"):
                # Rules compare these names exactly: a pattern would silently match nothing.
                if any(char in item for char in "*?["):
                    self.fail(key, f"{item!r} is a pattern", "allowed: exact names; patterns are not supported")
        elif (rule.code, name) in _OPTION_CHOICES:
            self.choice(key, value, _OPTION_CHOICES[rule.code, name])
        elif isinstance(default, str):
            self.string(key, value, "a string")


# Options whose value is one of a few words (the first is the rule's default).
_OPTION_CHOICES = {("DF106", "pin-policy"): ("exact", "bounds", "base-digest")}


def _format(checker: _Checker, key: str, value: Any) -> str:
    from dlint.report import FORMATS  # only when a config names a format: start-up time

    return checker.choice(key, value, FORMATS)


# Config key -> (Config attribute, how its value is checked and read), in the order they are
# checked (the first bad one is reported). ``hadolint-config`` is read apart: it is a layer.
_READERS: dict[str, tuple[str, Callable[[_Checker, str, Any], Any]]] = {
    "select": ("select", _Checker.selectors),
    "extend-select": ("extend_select", _Checker.selectors),
    "ignore": ("ignore", _Checker.selectors),
    "extend-ignore": ("extend_ignore", _Checker.selectors),
    "severity": ("severity", _Checker.severities),
    "rules": ("options", _Checker.rule_options),
    "failure-threshold": ("failure_threshold", lambda c, k, v: Severity.parse(c.choice(k, v, SEVERITIES))),
    "no-fail": ("no_fail", _Checker.boolean),
    "format": ("format", _format),
    "exclude": ("exclude", lambda c, k, v: c.strings(k, v, "a list of glob patterns")),
}


def _is_exact(selector: str) -> bool:
    from dlint.registry import all_rules

    from dlint.registry import is_subcode

    wanted = selector.strip()
    # A ShellCheck code (SC2086) names the SC rule exactly: selecting it turns the rule on.
    return is_subcode(wanted) or any(r.code == wanted.upper() or r.name == wanted.lower() for r in all_rules())


# ---------------------------------------------------------------------------------------------
# hadolint's .hadolint.yaml, as a migration aid

HADOLINT_KEYS = (
    "disable-ignore-pragma",
    "failure-threshold",
    "format",
    "ignored",
    "label-schema",
    "no-color",
    "no-fail",
    "override",
    "strict-labels",
    "trustedRegistries",
    "verbose",
)


def load_hadolint(path: str) -> Config:
    """Map a ``.hadolint.yaml`` onto dlint: ``ignored`` → ``extend-ignore``, ``override`` →
    ``severity``, ``failure-threshold`` (``ignore``/``none`` → ``no-fail``), ``no-fail`` and
    ``disable-ignore-pragma``. What has no dlint equivalent (other rule codes,
    ``trustedRegistries``, label schemas) is named in one warning, not silently dropped."""
    from dlint.hadolint_map import dlint_code

    import yaml  # only here: most runs never read a hadolint file

    shown = display(path)
    try:
        with open(path, "rb") as handle:
            data = yaml.safe_load(handle)
    except OSError as error:
        raise ConfigError(f"{shown}: cannot read the hadolint config: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    if data is None:
        data = {}
    checker = _Checker(shown, "")
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}: expected a mapping of hadolint settings, got {_kind(data)}")
    unknown = sorted(set(data) - set(HADOLINT_KEYS))
    if unknown:
        checker.fail(unknown[0], "unknown hadolint key", f"allowed: {', '.join(HADOLINT_KEYS)}")

    config = Config(source=shown, root=os.path.dirname(os.path.abspath(path)))
    skipped: list[str] = []

    def mapped(key: str, codes: Any) -> list[str]:
        out = []
        for code in checker.strings(key, codes or [], "a list of hadolint rule codes"):
            target = dlint_code(code)
            if target:
                out.append(target)
            elif code not in skipped:
                skipped.append(code)
        return out

    config.extend_ignore = mapped("ignored", data.get("ignored"))
    override = data.get("override") or {}
    if not isinstance(override, dict):
        checker.expect("override", override, "a mapping of error/warning/info/style to rule lists")
    for level, codes in override.items():
        checker.choice(f"override.{level}", level, SEVERITIES)
        for code in mapped(f"override.{level}", codes):
            config.severity[code] = Severity.parse(level)
    if "failure-threshold" in data:
        level = checker.choice("failure-threshold", data["failure-threshold"], SEVERITIES + ("ignore", "none"))
        if level in ("ignore", "none"):
            config.no_fail = True
        else:
            config.failure_threshold = Severity.parse(level)
    if "no-fail" in data:
        config.no_fail = checker.boolean("no-fail", data["no-fail"]) or config.no_fail
    if "disable-ignore-pragma" in data:
        config.respect_pragmas = not checker.boolean("disable-ignore-pragma", data["disable-ignore-pragma"])
    if data.get("trustedRegistries"):  # DF211's allow-list (hadolint takes host names; so do its globs)
        registries = checker.strings("trustedRegistries", data["trustedRegistries"], "a list of registries")
        config.options.setdefault("DF211", {})["allowed-registries"] = registries
    if data.get("label-schema"):  # DF515's schema: label -> text, url, rfc3339, spdx, hash, semver, email
        schema = data["label-schema"]
        if not isinstance(schema, dict):
            checker.expect("label-schema", schema, "a mapping of label to type")
        from dlint.rules.df515_label_schema import TYPES

        for label, kind in schema.items():
            checker.choice(f"label-schema.{label}", str(kind).lower(), TYPES)
        config.options.setdefault("DF515", {})["schema"] = {str(k): str(v).lower() for k, v in schema.items()}
    if "strict-labels" in data:
        config.options.setdefault("DF515", {})["strict"] = checker.boolean("strict-labels", data["strict-labels"])
    if skipped:
        names = ", ".join(skipped)
        config.warnings.append(
            f"{shown}: no dlint rule matches {names}; skipped (see `dlint rules --hadolint`)"
        )
    return config


# ---------------------------------------------------------------------------------------------
# Finding the config for each file


def _repository_root(directory: str, listed: frozenset[str] | None = None) -> bool:
    if listed is not None and ".git" not in listed:
        return False  # not in the folder's listing (see Resolver.listed)
    return os.path.exists(os.path.join(directory, ".git"))


class Resolver:
    """Answers "which settings apply to this file?", reading each config file once."""

    def __init__(
        self,
        config_path: str | None = None,
        isolated: bool = False,
        hadolint_path: str | None = None,
        cli: Config | None = None,
    ) -> None:
        self.isolated = isolated
        self.cli = cli or Config()
        self.base = load_hadolint(hadolint_path) if hadolint_path else Config()
        self.fixed = None if config_path is None else self.base.overlay(load_file(config_path))
        self._by_dir: dict[str, str | None] = {}  # directory -> nearest config file
        self._by_file: dict[str | None, Config] = {}  # config file -> merged layers
        self._by_written_dir: dict[str, Config] = {}  # a path's directory as given -> settings
        # Folders discovery listed (absolute path -> their entries' names, lower-cased): a config
        # file or .git is looked for (stat) only in those whose listing has the name, compared
        # lower-cased so that a case-insensitive file system finds what it would find. For a
        # tree of 1,000 folders this spared 3,000 stats (9 ms) before the work is shared out.
        self.listed: dict[str, frozenset[str]] = {}

    def for_path(self, path: str) -> Config:
        """Settings for a file (``-`` means standard input: the current directory's)."""
        if self.isolated:
            return self._merged(None, self.base)
        if self.fixed is not None:
            return self._merged("--config", self.fixed)
        # Files of one directory share its answer (a tree of 1,000 files has a few dozen).
        written = "-" if path == "-" else os.path.dirname(path)
        config = self._by_written_dir.get(written)
        if config is None:
            directory = os.getcwd() if path == "-" else os.path.dirname(os.path.abspath(path))
            config = self._by_written_dir[written] = self._merged(self.find(directory), None)
        return config

    def _merged(self, key: str | None, layer: Config | None) -> Config:
        if key not in self._by_file:
            if layer is None:
                layer = self.base if key is None else self.base.overlay(load_file(key))
            self._by_file[key] = layer.overlay(self.cli)
        return self._by_file[key]

    def find(self, directory: str) -> str | None:
        """The nearest dlint config file at or above ``directory``, stopping at the
        repository root (or the filesystem root outside a repository)."""
        visited = []
        found = None
        current = directory
        while True:
            if current in self._by_dir:
                found = self._by_dir[current]
                break
            visited.append(current)
            listed = self.listed.get(current)
            found = self._config_in(current, listed)
            parent = os.path.dirname(current)
            if found or _repository_root(current, listed) or parent == current:
                break
            current = parent
        for seen in visited:
            self._by_dir[seen] = found
        return found

    @staticmethod
    def _config_in(directory: str, listed: frozenset[str] | None = None) -> str | None:
        for name in CONFIG_NAMES:
            if listed is not None and name not in listed:
                continue
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or read_table(candidate) is not None):
                return candidate
        return None

    def warnings(self) -> list[str]:
        """Warnings of every config read so far, each once."""
        seen: dict[str, None] = {}
        for config in self._by_file.values():
            for warning in config.warnings:
                seen.setdefault(warning, None)
        return list(seen)


# ---------------------------------------------------------------------------------------------
# From a merged config to what the checker runs


def choose_rules(config: Config) -> tuple[Rule, ...]:
    """``select`` (or the rules on by default), plus ``extend-select``, minus ``ignore`` and
    ``extend-ignore``. A rule that is off by default (``DF002``) is only turned on when named
    by its code or name, not by a prefix or ``ALL``."""
    from dlint.registry import all_rules

    chosen: set[str] = set()
    if config.select is None:
        chosen = {r.code for r in all_rules() if r.enabled}
    else:
        chosen = _expand(config.select)
    chosen |= _expand(config.extend_select)
    from dlint.registry import is_subcode

    # `ignore = ["SC2086"]` drops that ShellCheck code (see subcode_filter), not the SC rule.
    ignored = _expand([s for s in [*(config.ignore or []), *config.extend_ignore] if not is_subcode(s)],
                      include_disabled=True)
    return tuple(r for r in all_rules() if r.code in chosen and r.code not in ignored)


def _expand(selectors: Iterable[str], include_disabled: bool = False) -> set[str]:
    from dlint.registry import resolve

    codes = set()
    for selector in selectors:
        exact = _is_exact(selector)
        codes.update(r.code for r in resolve(selector) if r.enabled or exact or include_disabled)
    return codes


def subcode_filter(config: Config):
    """Which ShellCheck codes (``SC2086``) to keep: those named in ``select``/``extend-select``
    (all, when none is named there), less those in ``ignore``/``extend-ignore``."""
    from dlint.checker import SubcodeFilter
    from dlint.registry import is_subcode

    selected = {s.strip().upper() for s in [*(config.select or []), *config.extend_select] if is_subcode(s)}
    ignored = {s.strip().upper() for s in [*(config.ignore or []), *config.extend_ignore] if is_subcode(s)}
    return SubcodeFilter(frozenset(selected) or None, frozenset(ignored))


def to_settings(config: Config):
    from dlint.checker import Settings

    return Settings(
        subcodes=subcode_filter(config),
        rules=choose_rules(config),
        severities=dict(config.severity),
        options={code: dict(values) for code, values in config.options.items()},
        respect_pragmas=config.respect_pragmas is not False,
    )


def cli_layer(
    select: list[str] | None = None,
    extend_select: list[str] | None = None,
    ignore: list[str] | None = None,
    extend_ignore: list[str] | None = None,
    failure_threshold: str | None = None,
    no_fail: bool | None = None,
) -> Config:
    """The command line's settings as the top layer (selectors are checked by the caller)."""
    return Config(
        source="command line",
        select=select,
        extend_select=list(extend_select or []),
        ignore=ignore,
        extend_ignore=list(extend_ignore or []),
        failure_threshold=Severity.parse(failure_threshold) if failure_threshold else None,
        no_fail=no_fail,
    )


def env_config_path() -> str | None:
    return os.environ.get("DLINT_CONFIG") or None


def env_formats() -> list[str] | None:
    """``DLINT_FORMAT``: a format name, or several separated by commas."""
    value = os.environ.get("DLINT_FORMAT", "").strip()
    if not value:
        return None
    from dlint.report import FORMATS

    formats = [part.strip().lower() for part in value.split(",") if part.strip()]
    for name in formats:
        if name not in FORMATS:
            raise ConfigError(f"DLINT_FORMAT: unknown format {name!r} (allowed: {', '.join(FORMATS)})")
    return formats

