"""Fixes found wrong while measuring precision on public Dockerfiles."""

from __future__ import annotations

from dlint.checker import Settings
from dlint.fix import fix_text
from dlint.registry import lookup


def test_df505_fix_keeps_a_dollar_literal():
    # MAINTAINER takes its text as written; LABEL would expand $HOME.
    text = "FROM debian:bookworm-20241016\nMAINTAINER Jane $HOME \"J\" <j@example.com>\n"
    result = fix_text(text, "Dockerfile", Settings((lookup("DF505"),), unsafe_fixes=True))
    assert result.text == (
        "FROM debian:bookworm-20241016\n"
        'LABEL org.opencontainers.image.authors="Jane \\$HOME \\"J\\" <j@example.com>"\n'
    )
