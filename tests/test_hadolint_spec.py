"""benchmarks/hadolint_spec.py reads hadolint's Hspec files: string escapes and gaps, lists of
lines, let bindings scoped by layout, configurations, and the verdict of each assertion. The
Haskell here is written for these tests in the shape of those files (no case is copied)."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def spec():
    path = os.path.join(ROOT, "benchmarks", "hadolint_spec.py")
    loader = importlib.util.spec_from_file_location("hadolint_spec", path)
    module = importlib.util.module_from_spec(loader)
    sys.modules["hadolint_spec"] = module
    loader.loader.exec_module(module)
    return module


SOURCE = r'''module Hadolint.Rule.DL9999Spec (spec) where

spec :: SpecWith ()
spec = do
  let ?config = def

  describe "DL9999 - something" $ do
    it "escapes" $ do
      ruleCatches "DL9999" "RUN echo \"quoted\" \\ back\65\&1 \x41"
      onBuildRuleCatchesNot "DL9999" "RUN a\
                                     \ b"
    it "lines" $
      let dockerFile =
            [ "FROM debian:12",
              "RUN one"
            ]
       in do
            ruleCatchesNot "DL9999" $ Text.unlines dockerFile
    it "a block of bindings and a configuration" $ do
      let
        rule = "DL9999"
        snippet =
          Text.unlines
            [ "FROM x.example/base:1"
            ]
       in do
        let ?config = def { allowedRegistries = ["y.example", "*.z.example"] }
        ruleCatches rule snippet
    it "the outer configuration again" $
      assertChecks (Text.unlines ["FROM a", "FROM b"]) (failsWith 2 "DL9999")
    it "other rules are not this one's" $ do
      ruleCatches "DL0000" "RUN other"
      assertOnBuildChecks "RUN x" (failsWith 0 "DL9999")
'''


def test_every_case_with_its_text_verdict_and_configuration(spec):
    cases = spec.SpecReader(SOURCE).cases("DL9999")
    got = [(c.text, c.fires, c.onbuild, c.config.allowed_registries, c.line) for c in cases]
    assert got == [
        ('RUN echo "quoted" \\ backA1 A\n', True, False, [], 9),
        ("RUN a b\n", False, True, [], 10),
        ("FROM debian:12\nRUN one\n\n", False, False, [], 18),
        ("FROM x.example/base:1\n\n", True, False, ["y.example", "*.z.example"], 28),
        ("FROM a\nFROM b\n\n", True, False, [], 30),
        ("RUN x\n", False, True, [], 33),
    ]


def test_label_schema_configuration(spec):
    source = '''spec = do
  let ?config =
        def
          { labelSchema = Map.fromList [("url", Rule.Url), ("when", Rule.Rfc3339)],
            strictLabels = True
          }
  describe "x" $ it "y" $ ruleCatches "DL9998" "LABEL url=\\"x\\""
'''
    [case] = spec.SpecReader(source).cases("DL9998")
    assert (case.config.label_schema, case.config.strict_labels) == ({"url": "url", "when": "rfc3339"}, True)


def test_onbuild_wraps_every_run_and_nothing_else(spec):
    assert spec.onbuild("FROM a\nRUN x \\\n  && y\n# RUN not\nCOPY a b\n  run z\n") == (
        "FROM a\nONBUILD RUN x \\\n  && y\n# RUN not\nCOPY a b\n  ONBUILD run z\n"
    )


def test_a_case_is_linted_with_the_mapped_rule_and_its_part(spec):
    config = spec.Config()
    # DL3007 is the `latest` part of DF201: an untagged image is DL3006's, not DL3007's
    untagged = spec.Case("DL3007", "FROM debian\n", False, False, config, 1)
    latest = spec.Case("DL3007", "FROM debian:latest\n", True, False, config, 2)
    assert spec.dlint_fires(untagged)[0] is False
    assert spec.dlint_fires(latest) == (True, ["1:6 DF201 base image 'debian:latest' is tagged `latest`: pin a version tag or a digest"])
    # no FROM: linted under `FROM base`, whose own findings do not count
    run = spec.Case("DL3008", "RUN apt-get install -y python\n", True, False, config, 3)
    fires, findings = spec.dlint_fires(run)
    assert fires is True and [f.split()[:2] for f in findings] == [["2:24", "DF106"]]
    registry = spec.Case("DL3026", "RUN echo\n", False, False, spec.Config(allowed_registries=["x.example"]), 4)
    assert spec.dlint_fires(registry) == (False, [])


def test_the_readme_mapping_table_is_the_one_in_the_code():
    """The README's hadolint table is what `dlint rules --hadolint --format markdown` prints."""
    import subprocess

    table = subprocess.run(
        [sys.executable, "-m", "dlint", "rules", "--hadolint", "--format", "markdown"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout.strip()
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert table.startswith("| hadolint | dlint |") and table in readme
