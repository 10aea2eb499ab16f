from __future__ import annotations

import re
from functools import lru_cache

from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

# Name parts that say the variable holds a secret, alone or as a pair of parts.
_SECRET_PARTS = frozenset({"password", "passwd", "passphrase", "secret", "token", "apikey", "credential", "credentials"})
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"), ("auth", "key")})
# A last part like these names something about the secret (where it is, how long it lives),
# not the secret itself: PASSWORD_FILE, TOKEN_URL.
_NOT_THE_VALUE = frozenset(
    {"file", "files", "path", "dir", "url", "uri", "endpoint", "name", "user", "username", "id", "version",
     "length", "size", "type", "mode", "header", "enabled", "expiry", "ttl", "timeout", "env", "var"}
)
_PARTS = lazy_pattern(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _parts(name: str) -> list[str]:
    return [part.lower() for chunk in re.split(r"[_\-.]+", name) for part in _PARTS().findall(chunk)]


@lru_cache(maxsize=4096)  # the same names (PATH, HOME, VERSION …) recur file after file
def looks_secret(name: str) -> bool:
    parts = _parts(name)
    if not parts or parts[-1] in _NOT_THE_VALUE:
        return False
    return any(p in _SECRET_PARTS for p in parts) or any(pair in _SECRET_PAIRS for pair in zip(parts, parts[1:]))


@rule(
    "DF507",
    "secret-in-arg-or-env",
    Severity.WARNING,
    "An ARG or ENV whose name says it holds a secret",
    needs=("ARG", "ENV"),
)
def secret_in_arg_or_env(context, options):
    """## What it does
    Flags `ARG` and `ENV` whose name says it holds a password, token, API key, private key
    or other credential (`NPM_TOKEN`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`). Names of
    where a secret is kept (`PASSWORD_FILE`, `TOKEN_URL`), public keys (`GPG_KEY`) and
    `ENV` with an empty value (a default for `docker run -e`) are not flagged. BuildKit's `SecretsUsedInArgOrEnv` check.

    ## Why is this bad?
    `ENV` values are stored in the image's configuration, and `ARG` values in the build
    history of every `RUN` that uses them: anyone who can pull the image can read them
    with `docker history` or `docker inspect`. Pass secrets with
    `RUN --mount=type=secret`, which never reaches a layer or the history.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    ARG NPM_TOKEN
    RUN echo "token length: ${#NPM_TOKEN}"
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN echo "token length: ${#NPM_TOKEN}"
    ```

    ## Fix
    None: moving a secret to a secret mount changes how the build is called.
    """
    for instruction in context.instructions_of("ARG", "ENV"):
        for assignment in instruction.assignments:
            key = assignment.name
            if not looks_secret(key):
                continue
            if instruction.keyword == "ENV" and not assignment.value:
                continue  # an empty default for a value given at `docker run`: nothing to read
            yield Violation(
                assignment.span,
                f"{instruction.keyword} {key} looks like a secret: its value is readable in the image's "
                "history; use RUN --mount=type=secret",
            )
