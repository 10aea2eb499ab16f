"""hadolint's trustedRegistries, label-schema and strict-labels carry over to DF211 and DF515
when a .hadolint.yaml is read (--hadolint-config)."""

from __future__ import annotations

import json

from tests.test_config import dlint

DOCKERFILE = """\
FROM ghcr.io/acme/base:1.0
LABEL org.opencontainers.image.source="not a url" extra="x"
"""


def findings(tmp_path, yaml_text):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / ".hadolint.yaml").write_text(yaml_text)
    result = dlint("lint", "--format", "json", "--hadolint-config", ".hadolint.yaml", "--select", "DF211,DF515",
                   "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "no dlint rule matches" not in result.stderr
    return [(f["code"], f["line"], f["column"], f["message"]) for f in json.loads(result.stdout)]


def test_trusted_registries_label_schema_and_strict_labels(tmp_path):
    yaml_text = (
        "trustedRegistries:\n  - docker.io\n  - registry.example.com\n"
        "label-schema:\n  org.opencontainers.image.source: url\n  org.opencontainers.image.licenses: spdx\n"
        "strict-labels: true\n"
    )
    assert findings(tmp_path, yaml_text) == [
        ("DF515", 1, 1, "label 'org.opencontainers.image.licenses' of the label schema is missing"),
        ("DF211", 1, 6, "'ghcr.io/acme/base:1.0' comes from ghcr.io, which is not an allowed registry "
                        "(docker.io, registry.example.com)"),
        ("DF515", 2, 7, "label 'org.opencontainers.image.source' is 'not a url', not a URL"),
        ("DF515", 2, 51, "label 'extra' is not in the label schema"),
    ]


def test_an_unknown_label_type_is_a_configuration_error(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / ".hadolint.yaml").write_text("label-schema:\n  version: number\n")
    result = dlint("lint", "--hadolint-config", ".hadolint.yaml", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "label-schema.version" in result.stderr, result.stderr
