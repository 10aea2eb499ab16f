from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.startup import lazy_pattern

_PORT = lazy_pattern(r"(\d+)(?:-(\d+))?")
_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})


@rule(
    "DF504",
    "invalid-expose",
    Severity.WARNING,
    "An EXPOSE port that is not `PORT[-PORT][/tcp|udp|sctp]`",
    fixable=True,
    needs=("EXPOSE",),
)
def invalid_expose(context, options):
    """## What it does
    Flags an `EXPOSE` entry that is not a port or port range with an optional protocol: an
    IP address or a host-port mapping (`8080:80`), a port outside 0–65535, a protocol other
    than `tcp`, `udp` or `sctp`, or a protocol in upper case. BuildKit's
    `ExposeInvalidFormat` and `ExposeProtoCasing` checks; hadolint's DL3011. Entries with a
    variable are not judged.

    ## Why is this bad?
    `EXPOSE` documents the ports the container listens on; it cannot publish or map them.
    A mapping in it is ignored or refused (BuildKit will make it an error), an invalid port
    fails `docker run -P`, and `TCP` is a deprecated spelling.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    EXPOSE 8080:80 53/UDP
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    EXPOSE 80 53/udp
    ```

    ## Fix
    `--fix` writes an upper-case protocol in lower case (safe); the others are yours to
    correct.
    """
    for instruction in context.instructions_of("EXPOSE"):
        for word in instruction.words:
            entry = word.value
            if "$" in entry:
                continue
            port, _, protocol = entry.partition("/")
            if ":" in port:
                yield Violation(word.span, f"EXPOSE '{entry}' maps a host port or address: EXPOSE takes only the container's port")
                continue
            match = _PORT().fullmatch(port)
            if not match or any(int(p) > 65535 for p in match.groups() if p):
                yield Violation(word.span, f"EXPOSE '{entry}' is not a port (0-65535) or a port range")
                continue
            if protocol and protocol.lower() not in _PROTOCOLS:
                yield Violation(word.span, f"EXPOSE '{entry}': unknown protocol '{protocol}' (use tcp, udp or sctp)")
            elif protocol and protocol != protocol.lower():
                fixed = word.raw.replace("/" + protocol, "/" + protocol.lower())
                yield Violation(
                    word.span,
                    f"EXPOSE '{entry}': write the protocol in lower case ('{protocol.lower()}')",
                    Fix("write the protocol in lower case", (Edit(word.span, fixed),)),
                )
