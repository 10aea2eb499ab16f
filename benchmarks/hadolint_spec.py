"""dlint against hadolint's own published behaviour: the cases of hadolint's test suite.

    python benchmarks/hadolint_spec.py PATH_TO_HADOLINT_CHECKOUT [--rule DL3008 ...] [--json PATH|-]

hadolint publishes what each rule does as its test suite: one Hspec file per rule
(``test/Hadolint/Rule/DL3008Spec.hs`` …) with cases such as
``ruleCatches "DL3008" "RUN apt-get install python"`` (the rule must fire),
``ruleCatchesNot …`` (it must not), their ``onBuild…`` variants (every RUN wrapped in
``ONBUILD``) and ``assertChecks TEXT (failsWith N "DL3026")``. This script reads those files
(nothing of them is copied into this repository: give it a checkout, e.g. a ``git archive`` of
github.com/hadolint/hadolint), extracts every case of a hadolint code that the mapping table
(``dlint/hadolint_map.py``) maps to a dlint rule — the Dockerfile text, with Haskell's string
escapes and gaps and ``Text.unlines [...]`` undone, the configuration the case runs with, and
whether hadolint's rule must fire — and lints the text with dlint's mapped rule alone.

A case agrees when dlint's mapped rule fires exactly when the spec says hadolint's fires
(only the part of a dlint rule that the hadolint code stands for counts: DF106's findings in a
RUN that calls apt-get for DL3008, DF013's on a CMD for DL4003, DF515's "is empty" for
DL3051). Rules dlint turns off by default run selected, as hadolint's spec runs its rule; the
options are dlint's defaults plus what the mapping sets for hadolint users
(``HADOLINT_OPTIONS``) and what the case configures (``allowedRegistries``,
``labelSchema``, ``strictLabels``).

Cases where dlint differs on purpose are listed in DELIBERATE below with the reason; the
script prints the raw agreement and the agreement with those set aside (a DELIBERATE entry
that no longer disagrees is reported as stale).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from dlint.checker import Settings, lint  # noqa: E402
from dlint.dockerfile import parse  # noqa: E402
from dlint.hadolint_map import HADOLINT_OPTIONS, HADOLINT_TO_DLINT, finding_counts_for  # noqa: E402
from dlint.registry import all_rules  # noqa: E402

SPECS = "test/Hadolint/Rule"


# ---------------------------------------------------------------------------------------------
# Reading Haskell: just enough of it for hadolint's spec files

@dataclass
class Token:
    kind: str  # "str", "name", "sym", "num", "char"
    text: str  # the value of a string literal; the source text otherwise
    line: int
    column: int


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v", "0": "\0"}


def _string(source: str, start: int) -> tuple[str, int]:
    """The value of the Haskell string literal opening at ``source[start]`` (a quote), and the
    index after its closing quote: escapes (``\\n``, ``\\"``, ``\\123``, ``\\x41``, ``\\&``) and
    gaps (a backslash, white space, a backslash) undone."""
    out = []
    i = start + 1
    while True:
        c = source[i]
        if c == '"':
            return "".join(out), i + 1
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = source[i + 1]
        if nxt.isspace():  # a string gap: \ <white space, new lines> \
            j = i + 1
            while source[j].isspace():
                j += 1
            if source[j] != "\\":
                raise ValueError(f"bad string gap at offset {i}")
            i = j + 1
        elif nxt == "&":
            i += 2
        elif nxt.isdigit():
            m = re.match(r"\d+", source[i + 1:])
            out.append(chr(int(m.group())))
            i += 1 + len(m.group())
        elif nxt == "x":
            m = re.match(r"[0-9a-fA-F]+", source[i + 2:])
            out.append(chr(int(m.group(), 16)))
            i += 2 + len(m.group())
        elif nxt == "o":
            m = re.match(r"[0-7]+", source[i + 2:])
            out.append(chr(int(m.group(), 8)))
            i += 2 + len(m.group())
        elif nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            raise ValueError(f"unknown string escape \\{nxt} at offset {i}")


def tokenize(source: str) -> list[Token]:
    tokens = []
    i, line, line_start = 0, 1, 0
    n = len(source)
    while i < n:
        c = source[i]
        if c == "\n":
            i += 1
            line += 1
            line_start = i
        elif c.isspace():
            i += 1
        elif source.startswith("--", i) and not re.match(r"--+[!#$%&*+./<=>?@\\^|~:]", source[i:]):
            while i < n and source[i] != "\n":
                i += 1
        elif source.startswith("{-", i):
            depth = 0
            while i < n:
                if source.startswith("{-", i):
                    depth, i = depth + 1, i + 2
                elif source.startswith("-}", i):
                    depth, i = depth - 1, i + 2
                    if depth == 0:
                        break
                else:
                    if source[i] == "\n":
                        line += 1
                        line_start = i + 1
                    i += 1
        elif c == '"':
            value, end = _string(source, i)
            tokens.append(Token("str", value, line, i - line_start))
            for j in range(i, end):
                if source[j] == "\n":
                    line += 1
                    line_start = j + 1
            i = end
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", source[i:]):
            m = re.match(r"'(\\.|[^\\'])'", source[i:])
            tokens.append(Token("char", m.group(), line, i - line_start))
            i += len(m.group())
        elif c.isalpha() or c == "_" or c == "?":
            m = re.match(r"\??[A-Za-z_][A-Za-z0-9_']*(\.[A-Za-z_][A-Za-z0-9_']*)*", source[i:])
            tokens.append(Token("name", m.group(), line, i - line_start))
            i += len(m.group())
        elif c.isdigit():
            m = re.match(r"\d+", source[i:])
            tokens.append(Token("num", m.group(), line, i - line_start))
            i += len(m.group())
        elif c in "()[]{},;`":
            tokens.append(Token("sym", c, line, i - line_start))
            i += 1
        else:
            m = re.match(r"[!#$%&*+./<=>?@\\^|~:-]+", source[i:])
            tokens.append(Token("sym", m.group(), line, i - line_start))
            i += len(m.group())
    return tokens


@dataclass
class Config:
    allowed_registries: list[str] = field(default_factory=list)
    label_schema: dict[str, str] = field(default_factory=dict)
    strict_labels: bool = False


# hadolint's LabelType constructors -> DF515's schema types
_LABEL_TYPES = {"RawText": "text", "Url": "url", "Rfc3339": "rfc3339", "Spdx": "spdx", "GitHash": "hash",
                "SemVer": "semver", "Email": "email"}


@dataclass
class Case:
    code: str  # hadolint's rule
    text: str  # the Dockerfile, as hadolint's helpers parse it (a newline appended)
    fires: bool  # does hadolint's spec say the rule fires?
    onbuild: bool  # every RUN wrapped in ONBUILD
    config: Config
    line: int  # where in the spec file

    @property
    def where(self) -> str:
        return f"{self.code}Spec.hs:{self.line}"


class SpecReader:
    """Walks one spec file's tokens: ``let`` bindings (lists of lines, strings, ``?config``)
    scoped by layout, and the assertions that use them."""

    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        # indentation of each line: the column of its first token (a line inside a string
        # literal has none)
        self.indent: dict[int, int] = {}
        for token in self.tokens:
            self.indent.setdefault(token.line, token.column)
        self.bindings: list[tuple[str, int, int, object]] = []  # (name, line, column, value)

    def _visible(self, name: str, at_line: int):
        """The value of the latest binding of ``name`` before ``at_line`` still in scope
        there (layout: a binding's scope ends at the first line indented less than it)."""
        for bound, line, column, value in reversed(self.bindings):
            if bound != name or line > at_line:
                continue
            if all(self.indent.get(ln, column) >= column for ln in range(line + 1, at_line + 1)):
                return value
        raise ValueError(f"line {at_line}: no binding of {name} in scope")

    def _matching(self, i: int) -> int:
        """Index of the bracket closing the one at ``i``."""
        pairs = {"(": ")", "[": "]", "{": "}"}
        opening, closing, depth = self.tokens[i].text, pairs[self.tokens[i].text], 0
        for j in range(i, len(self.tokens)):
            t = self.tokens[j]
            if t.kind == "sym" and t.text == opening:
                depth += 1
            elif t.kind == "sym" and t.text == closing:
                depth -= 1
                if depth == 0:
                    return j
        raise ValueError(f"line {self.tokens[i].line}: unbalanced {opening}")

    def _list(self, i: int) -> tuple[list[str], int]:
        """The strings of the list literal at ``i`` and the index after it."""
        end = self._matching(i)
        items = [t for t in self.tokens[i + 1:end] if not (t.kind == "sym" and t.text == ",")]
        if any(t.kind != "str" for t in items):
            raise ValueError(f"line {self.tokens[i].line}: a list of something else than strings")
        return [t.text for t in items], end + 1

    def expression(self, i: int, line: int) -> tuple[object, int]:
        """A Dockerfile-text expression at ``i``: a string, ``Text.unlines LIST``, a name bound
        to one, ``$``/parentheses around one, ``a <> b``. Returns (text or list, next index)."""
        t = self.tokens[i]
        if t.kind == "sym" and t.text == "$":
            return self.expression(i + 1, line)
        if t.kind == "sym" and t.text == "(":
            end = self._matching(i)
            value, j = self.expression(i + 1, line)
            if j != end:
                raise ValueError(f"line {t.line}: cannot read the expression in parentheses")
            value, j = value, end + 1
        elif t.kind == "str":
            value, j = t.text, i + 1
        elif t.kind == "sym" and t.text == "[":
            value, j = self._list(i)
        elif t.kind == "name" and t.text in ("Text.unlines", "unlines", "T.unlines"):
            lines, j = self.expression(i + 1, line)
            if not isinstance(lines, list):
                raise ValueError(f"line {t.line}: unlines of something else than a list")
            value = "".join(f"{item}\n" for item in lines)
        elif t.kind == "name":
            value, j = self._visible(t.text, line), i + 1
        else:
            raise ValueError(f"line {t.line}: cannot read an expression starting with {t.text!r}")
        if j < len(self.tokens) and self.tokens[j].kind == "sym" and self.tokens[j].text == "<>":
            rest, j = self.expression(j + 1, line)
            value = value + rest
        return value, j

    def _config(self, i: int) -> tuple[Config, int]:
        """``def`` or ``def { field = value, … }`` at ``i``."""
        if self.tokens[i].text != "def":
            raise ValueError(f"line {self.tokens[i].line}: a configuration that is not def {{…}}")
        config = Config()
        j = i + 1
        if j < len(self.tokens) and self.tokens[j].text == "{":
            end = self._matching(j)
            body = self.tokens[j + 1:end]
            k = 0
            while k < len(body):
                t = body[k]
                if t.kind == "name" and t.text == "allowedRegistries":
                    start = next(m for m in range(k, len(body)) if body[m].text == "[")
                    stop = next(m for m in range(start, len(body)) if body[m].text == "]")
                    config.allowed_registries = [x.text for x in body[start + 1:stop] if x.kind == "str"]
                    k = stop
                elif t.kind == "name" and t.text == "labelSchema":
                    start = next(m for m in range(k, len(body)) if body[m].text == "[")
                    depth, stop = 0, start
                    for m in range(start, len(body)):
                        depth += {"[": 1, "]": -1}.get(body[m].text, 0)
                        if depth == 0:
                            stop = m
                            break
                    pair = []
                    for x in body[start + 1:stop]:
                        if x.kind == "str":
                            pair = [x.text]
                        elif x.kind == "name" and pair:
                            kind = x.text.split(".")[-1]
                            if kind not in _LABEL_TYPES:
                                raise ValueError(f"unknown label type {x.text}")
                            config.label_schema[pair[0]] = _LABEL_TYPES[kind]
                            pair = []
                    k = stop
                elif t.kind == "name" and t.text == "strictLabels":
                    config.strict_labels = body[k + 2].text == "True"
                    k += 2
                elif t.kind == "name" and body[k + 1].text == "=":
                    raise ValueError(f"line {t.line}: configuration field {t.text} not understood")
                k += 1
            j = end + 1
        return config, j

    def _code(self, token: Token, line: int) -> str | None:
        """A rule code written as a string or as a name bound to one (``let rule = "DL3065"``)."""
        if token.kind == "str":
            return token.text
        if token.kind == "name":
            try:
                value = self._visible(token.text, line)
            except ValueError:
                return None
            return value if isinstance(value, str) else None
        return None

    def cases(self, code: str) -> list[Case]:
        found = []
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            t = tokens[i]
            if t.kind == "name" and t.text == "let" and i + 2 < len(tokens) and tokens[i + 2].text == "=":
                # one binding, or a block of them aligned on the first one's column
                column, j = tokens[i + 1].column, i + 1
                while j + 1 < len(tokens) and tokens[j].kind == "name" and tokens[j + 1].text == "=" \
                        and tokens[j].column == column:
                    name = tokens[j]
                    if name.text == "?config":
                        value, j = self._config(j + 2)
                    else:
                        value, j = self.expression(j + 2, t.line)
                    self.bindings.append((name.text, name.line, t.column, value))
                i = j
                continue
            if t.kind == "name" and t.text in ("ruleCatches", "ruleCatchesNot", "onBuildRuleCatches",
                                               "onBuildRuleCatchesNot"):
                rule_code = self._code(tokens[i + 1], t.line)
                if rule_code is None:  # not a call with a rule code
                    i += 1
                    continue
                text, j = self.expression(i + 2, t.line)
                found.append(Case(rule_code, _text(text, t.line), not t.text.endswith("Not"),
                                  t.text.startswith("onBuild"), self._visible("?config", t.line), t.line))
                i = j
                continue
            if t.kind == "name" and t.text in ("assertChecks", "assertOnBuildChecks"):
                text, j = self.expression(i + 1, t.line)
                # (failsWith N "CODE")
                if tokens[j].text == "(" and tokens[j + 1].text == "failsWith":
                    times, rule_code = int(tokens[j + 2].text), self._code(tokens[j + 3], t.line)
                    found.append(Case(rule_code, _text(text, t.line), times > 0, t.text == "assertOnBuildChecks",
                                      self._visible("?config", t.line), t.line))
                    i = self._matching(j) + 1
                    continue
                i = j  # failsShellcheck and the like: not a rule's case
                continue
            i += 1
        return [case for case in found if case.code == code]


def _text(value: object, line: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"line {line}: the Dockerfile is a list, not a text")
    return value + "\n"  # hadolint's assertChecks parses (dockerfile <> "\n")


# ---------------------------------------------------------------------------------------------
# Where dlint differs from hadolint's spec on purpose (reviewed): (hadolint code, spec line,
# onbuild) -> reason. The reasons are also listed in benchmarks/README.md.

USER_STAGE = ("DF502 judges the USER the image ends with; hadolint flags USER root in any stage, also one the "
              "image does not end with")
LATER_STAGE = ("BuildKit resolves a --from stage name against every stage of the file, also a later one "
               "(dockerfile2llb adds all stages before it reads COPY --from); hadolint wants an earlier one")
OWN_INDEX = ("the case has no FROM: in the stage it is linted in, --from=0 names that very stage, which is "
             "DF206's finding (hadolint's DL3023), not DF205's")
HEALTHCHECK_CMD = "HEALTHCHECK CMD in shell form is not the container's main process: not DL3025's concern"
GEM_OPTION = ("gem has no --use-system-libraries option (it is nokogiri's build flag, given after --): gem "
              "install refuses the line; dlint reads `true` as a gem, hadolint skips it")
MICRODNF = ("microdnf 3 (UBI, Oracle Linux slim) installs without asking (the official openjdk images run it "
            "without -y); hadolint wants -y")
PIP_NO_CACHE_DIR = ("pip turns its cache off for any valid PIP_NO_CACHE_DIR, also 0, off, no and false (pip's "
                    "_handle_no_cache_dir, kept for backwards compatibility); hadolint expects a cache there")
WINDOWS_PATH = ("with the default escape character BuildKit reads c:\\system32\\blubb.sh as c:system32blubb.sh, a "
                "relative path (Windows Dockerfiles set # escape=`); hadolint reads a Windows absolute path")
LABEL_VARIABLE = "a label key with a variable ($character) is unknown until build: dlint does not judge it"
LABELS_OF_THE_IMAGE = ("DF515 checks the labels of the image the file builds (its last stage and the stages it "
                       "is built FROM); hadolint checks every stage, also ones only copied from or not used")
GO_MODULE = ("go install and go run without @version use the version go.mod requires (outside a module they "
             "refuse to run): dlint judges only @latest and branches")
KEY_ID = ("AWS_ACCESS_KEY_ID names the public half of a credential (like a user name, printed in logs and "
          "policies): dlint flags the secret half (AWS_SECRET_ACCESS_KEY) and names ending in _ID are not secrets")
WHOLE_FS_IMAGE = ("the case has no FROM: in the stage it is linted in, --from=build names an image, and copying / "
                  "from an image is the usual way to hand over binaries; DF212 flags only stages with their own "
                  "content")
BEFORE_FROM = ("an instruction other than ARG before the first FROM: BuildKit refuses the file, and so does "
               "dlint (exit status 2; hadolint's DL3061) instead of linting it")
ARG_SCOPE = ("an ARG goes out of scope at the end of its stage (Dockerfile reference, ARG: \"An ARG instruction "
             "goes out of scope at the end of the build stage where it was defined\"): in the next FROM fedora "
             "stage ${version} expands to nothing and no version is pinned; hadolint takes an ARG of any stage "
             "as a pin (and flags the same case with ENV)")
MICRODNF_CLEAN = ("whether microdnf clean all empties dnf's cache depends on the distribution, which the case does "
                  "not name: where dnf5 provides microdnf (dnf5 PR #121, Fedora 38 and later) and dnf is dnf5 too "
                  "(Fedora 41 and later) both use /var/cache/libdnf5; microdnf 3 uses /var/cache/yum (microdnf "
                  "issue #49) and dnf 4 /var/cache/dnf. dlint does not flag on a guess (hadolint's spec asserts "
                  "this case in its ONBUILD variant only)")
SH_PIPEFAIL = ('SHELL ["/bin/sh", "-o", "pipefail", "-c"] sets pipefail where that sh knows it (BusyBox ash, '
               "bash as sh) and makes every RUN fail where it does not: no failure is hidden either way; "
               "hadolint wants bash, zsh or ash by name")

_BY_REASON: dict[str, list[tuple[str, int, bool]]] = {
    USER_STAGE: [("DL3002", 77, False)],
    LATER_STAGE: [("DL3022", 22, False)],
    OWN_INDEX: [("DL3022", 33, False)],
    HEALTHCHECK_CMD: [("DL3025", 46, False)],
    GEM_OPTION: [("DL3028", 49, False), ("DL3028", 50, True)],
    MICRODNF: [("DL3038", 15, False), ("DL3038", 17, True)],
    PIP_NO_CACHE_DIR: [("DL3042", line, False) for line in (56, 57, 58, 59, 61, 62, 63, 64, 66, 67, 68, 69)],
    WINDOWS_PATH: [("DL3045", 22, False), ("DL3045", 23, True)],
    LABEL_VARIABLE: [("DL3048", 21, False), ("DL3048", 22, True)],
    LABELS_OF_THE_IMAGE: [("DL3049", line, False) for line in (61, 71, 107, 151)],
    GO_MODULE: [("DL3062", 14, False), ("DL3062", 15, True), ("DL3062", 57, False), ("DL3062", 58, True)],
    KEY_ID: [("DL3064", 52, False), ("DL3064", 53, True), ("DL3064", 74, False), ("DL3064", 75, True)],
    WHOLE_FS_IMAGE: [("DL3067", 15, False), ("DL3067", 18, False)],
    BEFORE_FROM: [("DL4000", 15, False)],
    SH_PIPEFAIL: [("DL4006", 84, False)],
    ARG_SCOPE: [("DL3033", 80, False), ("DL3041", 111, False)],
    MICRODNF_CLEAN: [("DL3040", 20, True)],
}
DELIBERATE: dict[tuple[str, int, bool], str] = {key: reason for reason, keys in _BY_REASON.items() for key in keys}


# ---------------------------------------------------------------------------------------------
# Linting a case with dlint

_RULES = {rule.code: rule for rule in all_rules()}
# hadolint's spec leaves FROM out of most cases; BuildKit and dlint refuse a file without one
# ("no FROM instruction: nothing to build"), so such a case is linted as the body of a stage of
# an image dlint knows nothing about (not a Debian, Alpine or Red Hat base).
STAGE = "FROM base\n"
_RUN = re.compile(r"^(\s*)(run)(\s)", re.I)


def onbuild(text: str) -> str:
    """The text with every RUN instruction wrapped in ONBUILD (hadolint's assertOnBuildChecks
    does that on its syntax tree)."""
    dockerfile = parse(text.encode(), "<spec>")
    lines = text.split("\n")
    for instruction in dockerfile.instructions:
        if instruction.keyword == "RUN":
            index = instruction.line - 1
            lines[index] = _RUN.sub(lambda m: f"{m.group(1)}ONBUILD {m.group(2)}{m.group(3)}", lines[index], count=1)
    return "\n".join(lines)


def has_from(text: str) -> bool:
    return any(i.keyword == "FROM" for i in parse(text.encode(), "<spec>").instructions)


def dlint_fires(case: Case) -> tuple[bool, list[str]]:
    """Does dlint's rule for the case's hadolint code fire (only its part that the hadolint code
    stands for)? And the findings, for the report."""
    df_code = HADOLINT_TO_DLINT[case.code][0]
    text = onbuild(case.text) if case.onbuild else case.text
    added = 0
    if not has_from(text):
        text, added = STAGE + text, STAGE.count("\n")
    dockerfile = parse(text.encode(), "<spec>")
    if dockerfile.problems:  # `dlint lint` refuses the file (exit status 2), as BuildKit does
        return None, [f"dlint refuses it: {p.line}:{p.column} {p.message}" for p in dockerfile.problems]
    options = {code: dict(values) for code, values in HADOLINT_OPTIONS.items()}
    if case.config.allowed_registries:
        options.setdefault("DF211", {})["allowed-registries"] = list(case.config.allowed_registries)
    if case.config.label_schema:
        options.setdefault("DF515", {})["schema"] = dict(case.config.label_schema)
    if case.config.strict_labels:
        options.setdefault("DF515", {})["strict"] = True
    findings = lint(dockerfile, Settings((_RULES[df_code],), options=options, respect_pragmas=False))
    # a finding on the added FROM line is about that line, not about the case
    findings = [f for f in findings if f.line > added]
    counted = [f for f in findings if finding_counts_for(case.code, f, dockerfile)]
    return bool(counted), [f"{f.line}:{f.column} {f.code} {f.message}" for f in findings]


def run(checkout: str, only: set[str] | None = None) -> dict:
    folder = os.path.join(checkout, SPECS)
    commit = "unknown (not a git checkout)"
    if os.path.exists(os.path.join(checkout, ".git")):
        commit = subprocess.run(["git", "-C", checkout, "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip() or commit
    per_rule: dict[str, dict] = {}
    stale = set(DELIBERATE)
    for code in sorted(HADOLINT_TO_DLINT):
        if only and code not in only:
            continue
        path = os.path.join(folder, f"{code}Spec.hs")
        if not os.path.exists(path):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                cases = SpecReader(handle.read()).cases(code)
        except (OSError, ValueError, IndexError, StopIteration) as error:  # a spec this reader cannot follow
            print(f"hadolint_spec: {path}: not read, {code} left out: {error}", file=sys.stderr)
            continue
        entry = per_rule[code] = {"dlint": HADOLINT_TO_DLINT[code][0], "cases": 0, "agree": 0,
                                  "deliberate": 0, "no_from": 0, "disagreements": []}
        for case in cases:
            entry["cases"] += 1
            try:
                fires, findings = dlint_fires(case)
            except Exception as error:  # a case dlint cannot read is a disagreement, shown
                fires, findings = None, [f"dlint failed: {type(error).__name__}: {error}"]
            if not has_from(case.text):
                entry["no_from"] += 1
            key = (case.code, case.line, case.onbuild)
            if fires == case.fires:
                entry["agree"] += 1
                continue
            reason = DELIBERATE.get(key)
            stale.discard(key)
            if reason:
                entry["deliberate"] += 1
            entry["disagreements"].append({
                "where": case.where, "onbuild": case.onbuild, "hadolint": case.fires, "dlint": fires,
                "text": case.text, "findings": findings, "deliberate": reason,
            })
    cases = sum(e["cases"] for e in per_rule.values())
    agree = sum(e["agree"] for e in per_rule.values())
    deliberate = sum(e["deliberate"] for e in per_rule.values())
    no_from = sum(e["no_from"] for e in per_rule.values())
    return {"no_from": no_from,
        "commit": commit, "rules": len(per_rule), "cases": cases, "agree": agree, "deliberate": deliberate,
        "stale": sorted(key for key in stale if key[0] in per_rule), "per_rule": per_rule,
    }


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f} %" if whole else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", help="a checkout of github.com/hadolint/hadolint")
    parser.add_argument("--rule", action="append", help="only this hadolint code (repeatable)")
    parser.add_argument("--json", help="write the results as JSON to PATH (- for standard output)")
    parser.add_argument("--table", action="store_true", help="print the per-rule table as Markdown")
    args = parser.parse_args(argv)
    if not os.path.isdir(os.path.join(args.checkout, SPECS)):
        print(f"hadolint_spec: {args.checkout}: no {SPECS} folder (a hadolint checkout?)", file=sys.stderr)
        return 2
    result = run(args.checkout, set(args.rule) if args.rule else None)
    if args.json:
        text = json.dumps(result, indent=2)
        if args.json == "-":
            print(text)
            return 0
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(text)
    if args.table:
        print("| hadolint | dlint | cases | agree | deliberate | agree, deliberate set aside |")
        print("|---|---|---:|---:|---:|---:|")
    for code, entry in result["per_rule"].items():
        considered = entry["cases"] - entry["deliberate"]
        if args.table:
            print(f"| {code} | {entry['dlint']} | {entry['cases']} | {entry['agree']} | {entry['deliberate']} "
                  f"| {entry['agree']}/{considered} |")
            continue
        print(f"{code} -> {entry['dlint']}: {entry['agree']}/{entry['cases']} agree"
              + (f" ({entry['deliberate']} deliberate)" if entry["deliberate"] else ""))
        for d in entry["disagreements"]:
            mark = "deliberate" if d["deliberate"] else "DISAGREE"
            print(f"  {mark} {d['where']}{' (onbuild)' if d['onbuild'] else ''}: hadolint "
                  f"{'fires' if d['hadolint'] else 'silent'}, dlint "
                  f"{'fires' if d['dlint'] else 'silent' if d['dlint'] is False else 'fails'}")
            for line in d["text"].rstrip("\n").split("\n"):
                print(f"      | {line}")
            for finding in d["findings"]:
                print(f"      > {finding}")
            if d["deliberate"]:
                print(f"      = {d['deliberate']}")
    cases, agree, deliberate = result["cases"], result["agree"], result["deliberate"]
    print(f"\nhadolint commit {result['commit']}: {result['rules']} mapped rules, {cases} cases "
          f"({result['no_from']} without a FROM, linted under {STAGE.strip()!r})")
    print(f"raw agreement: {agree}/{cases} = {_pct(agree, cases)}")
    print(f"deliberate differences set aside: {agree}/{cases - deliberate} = {_pct(agree, cases - deliberate)} "
          f"({deliberate} set aside)")
    if result["stale"]:
        print(f"stale DELIBERATE entries (they agree now): {result['stale']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
