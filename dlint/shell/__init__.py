"""Shell analysis of RUN instructions: the simple commands a RUN executes.

A RUN's shell text (shell form, the ``sh -c`` string of an exec form, and heredoc bodies that
are scripts) is read once into a :class:`Script` of :class:`Command` s (``words``: the model).
Three readers, tried in turn (``run.parse_script``):

- ``fastpath``: simple command lists (most RUNs), one regex tokenizer, the same Script as
  tree-sitter gives; it bails out on anything else.
- ``treesitter``: tree-sitter with the bash grammar, for ``if``, ``case``, loops, ``$(…)``.
- ``tolerant``: when tree-sitter reports a syntax error, so that analysis never stops.

``run`` turns RUN instructions (shell form, exec form, ``sh -c '…'``, heredocs) into a Script.
What the commands do (package managers, removals, layer effects) is in :mod:`dlint.packages`
and :mod:`dlint.layers`.
"""

from dlint.shell.run import parse_script, script_of
from dlint.shell.words import Command, Locate, Script, Word

__all__ = ["Command", "Locate", "Script", "Word", "parse_script", "script_of"]
