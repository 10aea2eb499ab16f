from __future__ import annotations

import re

from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.startup import lazy_pattern

# ADD fetches these instead of copying.
_REMOTE = lazy_pattern(r"^[a-z][a-z0-9+.-]*://|^git@|\.git(#.*)?$", re.I)
# ADD decides by content whether a local file is a tar archive to unpack (plain, gzip, bzip2,
# xz, and more in newer BuildKit). Only a source that is certainly not one can become COPY
# without changing the image: a directory, or a file whose name says text, code or a format
# that is not tar (zip, jar, deb …). Any other name (rootfs.img, app.bin, data) may be a tar.
_NOT_TAR = frozenset(
    """conf cfg cnf ini json yaml yml toml xml txt md rst csv tsv properties env sh bash zsh
    fish ps1 bat cmd py js mjs cjs ts rb pl php go java kt kts scala groovy gradle c h cc cpp
    hpp rs lua r sql html htm css scss svg png jpg jpeg gif ico webp pdf pem crt cer key pub
    service socket timer list repo sources lock mod sum cron patch diff tmpl tpl j2 template
    jar war ear zip whl deb rpm apk so dll exe""".split()
)
# Names of tar archives and compressed files: ADD unpacks these (never flagged).
_ARCHIVE = lazy_pattern(r"\.(tar|tar\.\w+|t[agblx]z|tbz2?|tzst|tlz|gz|bz2|xz|zst|lz4|lzma|lz|z)$", re.I)
# Names that say nothing of the content or suggest a file-system image (never flagged).
_OPAQUE = frozenset("img image bin raw iso dat data blob layer dump qcow2 vmdk squashfs rootfs".split())
# ADD-only flags: with any of them the instruction is not a plain copy.
_ADD_ONLY_FLAGS = frozenset({"checksum", "keep-git-dir", "unpack"})


@rule(
    "DF302",
    "add-instead-of-copy",
    Severity.WARNING,
    "ADD is used for plain local files; COPY says what it does",
    fixable=True,
    needs=("ADD", "ONBUILD"),
)
def add_instead_of_copy(context, options):
    """## What it does
    Flags `ADD` whose sources are all local files or directories that `ADD` would only copy.
    Sources that `ADD` may unpack or fetch are not flagged: a name of a tar archive or a
    compressed file (`.tar`, `.tar.gz`, `.tgz`, `.xz` …), a file-system image (`rootfs.img`),
    a URL, a Git source, or a variable whose value is unknown.

    ## Why is this bad?
    `ADD` does more than copy: it unpacks local tar archives and fetches URLs and Git
    repositories. It decides whether to unpack a local file by its content, not its name: a
    tar archive called `tool.bin` is unpacked too, and an empty `x.tar.gz` is copied as it
    is. When none of that is meant, `COPY` says what it does, and a file that later becomes an
    archive is not silently unpacked into the image.

    ## Example
    ```dockerfile
    ADD app.conf /etc/app.conf
    ```

    ## Use instead
    ```dockerfile
    COPY app.conf /etc/app.conf
    ```

    ## Fix
    `--fix` replaces the keyword `ADD` with `COPY` (same case as written) when every source
    is a directory or a file named as text, code or a non-tar format (`.conf`, `.py`, `.jar`
    …). ADD decides by a file's content whether to unpack it, so for any other source
    (`ADD bin/tool /usr/bin/`, `ADD site.cert /etc/`) the fix is unsafe (`--unsafe-fixes`):
    if that file is a tar archive, COPY would stop unpacking it. An archive or compressed
    file name, a file-system image (`ADD rootfs.img /`), a URL, a Git source or a variable
    is not flagged at all.
    """
    for instruction in context.dockerfile.all_instructions():
        if instruction.keyword != "ADD" or instruction.heredocs or instruction.destination is None:
            continue
        if any(flag.name in _ADD_ONLY_FLAGS for flag in instruction.flags):
            continue
        kinds = {_kind(source.value) if not source.has_variable else None for source in instruction.sources}
        if not kinds <= {_NOT_AN_ARCHIVE, _UNNAMED}:
            continue  # an archive, a URL, a Git source, a variable, an image file
        replacement = "COPY" if instruction.keyword_text.isupper() else "copy"
        safe = kinds == {_NOT_AN_ARCHIVE}
        description = "use COPY" if safe else "use COPY (unsafe: ADD would unpack a source that is a tar archive)"
        yield Violation(
            instruction.keyword_span,
            "use COPY for local files: ADD also unpacks archives and fetches URLs",
            Fix(description, (Edit(instruction.keyword_span, replacement),), safe=safe),
        )


_NOT_AN_ARCHIVE = "not an archive"  # a directory, or a name that says text, code or not-tar
_UNNAMED = "unnamed"  # no or another extension (a script, a binary, a directory, a .cert …)


def _kind(path):
    """What a source's name says about its content. ADD unpacks a local file that is a tar
    archive whatever its name, so only a directory or a telling extension is certain."""
    if not path or _REMOTE().search(path) or _ARCHIVE().search(path):
        return None
    if path in (".", "./") or path.endswith(("/", "/.")):
        return _NOT_AN_ARCHIVE  # a directory: ADD copies it; archives inside stay archives
    name = path.rsplit("/", 1)[-1]
    _, dot, extension = name.lstrip(".").rpartition(".")
    extension = extension.lower()
    if dot and extension in _NOT_TAR:
        return _NOT_AN_ARCHIVE
    if dot and extension in _OPAQUE:
        return None
    return _UNNAMED
