"""dlint's rules, one module each (see ``dlint explain CODE``).

The list below is the registry: a new rule is a new module plus one line here.
"""

from dlint.rules.df001_continuation_swallows_instruction import continuation_swallows_instruction
from dlint.rules.df002_unused_ignore import unused_ignore
from dlint.rules.df101_update_without_install import update_without_install
from dlint.rules.df102_install_without_update import install_without_update
from dlint.rules.df103_packages_not_one_per_line import packages_not_one_per_line
from dlint.rules.df104_packages_unsorted import packages_unsorted
from dlint.rules.df105_duplicate_package import duplicate_package
from dlint.rules.df106_unpinned_package import unpinned_package
from dlint.rules.df107_package_cache_left_in_layer import package_cache_left_in_layer
from dlint.rules.df108_cleanup_in_separate_layer import cleanup_in_separate_layer
from dlint.rules.df109_missing_assume_yes import missing_assume_yes
from dlint.rules.df110_install_recommends import install_recommends
from dlint.rules.df111_apt_in_script import apt_in_script
from dlint.rules.df201_unpinned_base_image import unpinned_base_image
from dlint.rules.df301_copy_context_before_install import copy_context_before_install
from dlint.rules.df302_add_instead_of_copy import add_instead_of_copy
from dlint.rules.df401_pipe_without_pipefail import pipe_without_pipefail
from dlint.rules.df501_shell_form_entrypoint import shell_form_entrypoint
from dlint.rules.df502_runs_as_root import runs_as_root

ALL_RULES = (
    continuation_swallows_instruction,
    unused_ignore,
    update_without_install,
    install_without_update,
    packages_not_one_per_line,
    packages_unsorted,
    duplicate_package,
    unpinned_package,
    package_cache_left_in_layer,
    cleanup_in_separate_layer,
    missing_assume_yes,
    install_recommends,
    apt_in_script,
    unpinned_base_image,
    copy_context_before_install,
    add_instead_of_copy,
    pipe_without_pipefail,
    shell_form_entrypoint,
    runs_as_root,
)
