from __future__ import annotations

from dlint.base_images import env_is_known
from dlint.rule import Severity, Violation, rule
from dlint.variables import AUTOMATIC_ARGS, references

# The instructions whose arguments BuildKit expands and whose unknown variables it reports
# (dockerfile2llb: SupportsSingleWordExpansion, and ARG defaults). EXPOSE is expanded but not
# reported; RUN, CMD and ENTRYPOINT are the shell's (ShellCheck's SC2154).
_EXPANDED = frozenset(("ENV", "ARG", "LABEL", "COPY", "ADD", "WORKDIR", "USER", "VOLUME", "STOPSIGNAL"))
_FLAGS = ("chown", "chmod", "checksum")  # COPY/ADD flags BuildKit expands


@rule(
    "DF516",
    "undefined-variable",
    Severity.WARNING,
    "A variable used in ENV, COPY, LABEL, WORKDIR … that nothing in scope defines",
)
def undefined_variable(context, options):
    """## What it does
    Flags `$NAME`/`${NAME}` in an instruction that the builder expands (`ENV`, `ARG`
    defaults, `LABEL`, `COPY`, `ADD`, `WORKDIR`, `USER`, `VOLUME`, `STOPSIGNAL`) when no
    `ARG` or `ENV` in scope defines it: not the stage's own, not an `ENV` of the stage it is
    built `FROM`. BuildKit's `UndefinedVar`; like BuildKit, it suggests a close name in scope
    ("did you mean").

    A stage built from an image of a registry inherits that image's `ENV`, which dlint cannot
    see (BuildKit reads the image's configuration; dlint does not pull). So in such a stage a
    name is reported only when it cannot come from the image:
    - a platform ARG the builder sets (`TARGETARCH`, `BUILDPLATFORM` …) that the stage does
      not declare with `ARG`;
    - an `ARG` declared before the first `FROM` and not declared again in the stage (global
      ARGs are seen by `FROM` lines only), unless a `FROM` of the stage's chain uses it
      (`FROM node:${NODE_VERSION}`: the image likely sets it too);
    - a name one edit away from a name in scope (`$APP_VERSON` for `$APP_VERSION`).
    In a stage whose chain starts `FROM scratch` every `ENV` is known (BuildKit sets only
    `PATH` there), and any undefined name is reported. `${NAME:-default}`, `${NAME:+word}`
    and `${NAME:?message}` are not reported (BuildKit reports them; they say what happens when
    the name is unset). RUN, CMD and ENTRYPOINT variables are the shell's, not this rule's.

    ## Why is this bad?
    An undefined variable expands to nothing, silently: `COPY app-$VERSION.jar` copies
    `app-.jar` (or fails), `ENV PATH=$PAHT:/opt/bin` throws `PATH` away, a label is empty.
    The usual causes are a misspelt name and an `ARG` declared before `FROM` that the stage
    never declares again.

    ## Example
    ```dockerfile
    ARG VERSION=1.4.2
    FROM debian:bookworm-20241016
    LABEL org.opencontainers.image.version=$VERSION
    ```

    ## Use instead
    ```dockerfile
    ARG VERSION=1.4.2
    FROM debian:bookworm-20241016
    ARG VERSION
    LABEL org.opencontainers.image.version=$VERSION
    ```

    ## Fix
    None: declaring the `ARG` in the stage, or correcting the name, is the author's call.
    """
    dockerfile = context.dockerfile
    if not dockerfile.stages:
        return
    variables = dockerfile.variables
    escape = dockerfile.escape
    global_args = None
    for stage in dockerfile.stages:
        chain = stage.chain
        known_base = env_is_known(stage)
        from_words = None
        for instruction in stage.instructions:
            if instruction.keyword not in _EXPANDED or "$" not in instruction.text.text:
                continue
            scope = variables.before(instruction)
            # Names an earlier assignment of this ARG sets (the later ones see them), or of this
            # ENV (the later ones see the old value: DF508's finding, not this rule's).
            same = set()
            for text, span in _expanded_words(instruction):
                if instruction.keyword == "ARG":
                    name, _, value = text.partition("=")
                    offset = len(name) + 1
                    words = [(value, offset)] if _ else []
                else:
                    words = [(text, 0)]
                for word, offset in words:
                    found = references(word, escape) if "$" in word else ()
                    # Inside ``${A:+word}`` the word is used only when A is set: not a use of its names.
                    conditional = [(r.start, r.end) for r in found if r.operator[-1:] == "+"]
                    for reference in found:
                        name = reference.name
                        # Only plain uses and pattern modifiers (``${A#x}``): a default, an alternative
                        # or an error message says what happens when unset; another modifier
                        # (``${A:x}``, a template's placeholder) fails the build anyway.
                        if not (name[0].isalpha() or name[0] == "_") or reference.operator[:1] not in ("", "#", "%", "/"):
                            continue
                        if any(start < reference.start < end for start, end in conditional):
                            continue
                        if name in scope or name == "PATH" or name in same:
                            continue
                        if global_args is None:
                            global_args = _global_args(dockerfile)
                        close = _close_name(name, [*scope, "PATH", *same])
                        if name in AUTOMATIC_ARGS:
                            reason = "automatic"  # no image sets these: the builder does, for ARG only
                        elif name in global_args:
                            if not known_base:
                                if from_words is None:
                                    from_words = " ".join(s.from_instruction.text.text for s in chain)
                                if "$" + name in from_words or "${" + name in from_words:
                                    continue
                            reason = "global"
                        elif known_base:
                            reason = None
                        elif close is not None and _one_edit(name, close):
                            reason = None
                        else:
                            continue
                        if reason is None and name in _assigned_names(instruction, text):
                            reason = "append"
                        yield Violation(_span(span, offset + reference.start, reference.end - reference.start),
                                        _message(instruction.keyword, name, close, reason))
                if instruction.keyword in ("ARG", "ENV"):
                    same.add(text.partition("=")[0])


def _expanded_words(instruction):
    """(raw text, span) of each part BuildKit expands: the argument words (not a heredoc's
    name) and, for COPY/ADD, the values of --chown, --chmod, --checksum."""
    keyword = instruction.keyword
    words = instruction.words
    if keyword == "ENV" and words and "=" not in words[0].value:
        words = words[1:]  # the legacy `ENV name value`: the name is not expanded
    for word in words:  # every word: ARG and ENV note the names set before the next one
        if word.heredoc is None:
            yield word.raw, word.span
    if keyword in ("COPY", "ADD"):
        for flag in instruction.flags:
            if flag.name in _FLAGS and flag.value and "$" in flag.value:
                yield flag.value, flag.span._replace(column=flag.span.column + len(flag.name) + 3)


def _span(span, offset: int, length: int):
    if span.line == span.end_line:
        return span._replace(column=span.column + offset, end_column=span.column + offset + length)
    return span


def _global_args(dockerfile) -> set[str]:
    names = set()
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            names.update(a.name for a in instruction.assignments)
    return names


def _assigned_names(instruction, text: str) -> set[str]:
    """The name this word of an ENV/ARG assigns (``A=$A:/x``: A)."""
    if instruction.keyword not in ("ENV", "ARG"):
        return set()
    name, equals, _ = text.partition("=")
    if equals:
        return {name}
    words = instruction.words
    return {words[0].value} if words and "=" not in words[0].value else set()


def _message(keyword: str, name: str, close: str | None, reason: str | None) -> str:
    if reason == "automatic":
        return (f"${name} is empty here: the builder sets {name} for every build, but a stage sees it only "
                f"after `ARG {name}`; declare it in this stage")
    if reason == "append":
        return (f"${name} is not set before this {keyword} (no ARG or ENV defines it, nor the base image), so the "
                f"new value keeps an empty entry where ${name} stands (in a search path such as "
                f"LD_LIBRARY_PATH an empty entry means the current folder); set it without ${name}, "
                f"or use ${{{name}:+${name}:}}")
    if reason == "global":
        return (f"${name} is empty here: ARG {name} is declared before FROM, which makes it visible to FROM lines "
                f"only; declare it again in this stage (`ARG {name}`)")
    hint = f" (did you mean ${close}?)" if close else ""
    return f"${name} is not defined by any ARG or ENV in scope, so {keyword} gets an empty value{hint}"


def _close_name(name: str, options) -> str | None:
    """BuildKit's suggestion: the name in scope fewest edits away, under 3 edits."""
    best, distance = None, 3
    for option in options:
        if option == name:
            return None
        edits = _distance(name, option, distance)
        if edits < distance:
            best, distance = option, edits
    return best


def _one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours apart (names of 4 or more)."""
    if len(a) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit`` when it is at least that."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)
