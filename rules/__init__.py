"""dlint's rules, one module each (see ``dlint explain CODE``).

The list below is the registry: a new rule is a new module plus one line here.
"""

from dlint.rules.df001_continuation_swallows_instruction import continuation_swallows_instruction
from dlint.rules.df002_unused_ignore import unused_ignore
from dlint.rules.df010_inconsistent_instruction_casing import inconsistent_instruction_casing
from dlint.rules.df011_from_as_casing import from_as_casing
from dlint.rules.df012_empty_continuation_line import empty_continuation_line
from dlint.rules.df013_multiple_instructions_disallowed import multiple_instructions_disallowed
from dlint.rules.df014_legacy_key_value_format import legacy_key_value_format
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
from dlint.rules.df202_stage_names import duplicate_stage_name, reserved_stage_name, stage_name_casing
from dlint.rules.df205_copy_from import copy_from_own_stage, copy_from_unknown_stage
from dlint.rules.df207_redundant_target_platform import redundant_target_platform
from dlint.rules.df208_from_arguments import constant_platform_in_from, invalid_default_arg_in_from, undefined_arg_in_from
from dlint.rules.df211_untrusted_registry import untrusted_registry
from dlint.rules.df212_copy_whole_filesystem import copy_whole_filesystem
from dlint.rules.df301_copy_context_before_install import copy_context_before_install
from dlint.rules.df302_add_instead_of_copy import add_instead_of_copy
from dlint.rules.df303_add_remote_url import add_remote_url
from dlint.rules.df304_copy_ignored_or_no_dockerignore import copy_ignored_or_no_dockerignore
from dlint.rules.df305_prefer_cache_mount import prefer_cache_mount
from dlint.rules.df306_volatile_arg_before_install import volatile_value_before_install
from dlint.rules.df401_pipe_without_pipefail import pipe_without_pipefail
from dlint.rules.df402_sudo import sudo_in_run
from dlint.rules.df403_useradd_high_uid import useradd_high_uid_without_l
from dlint.rules.df404_download_tools import curl_and_wget, wget_without_quiet
from dlint.rules.df406_shell_via_ln import shell_changed_with_ln
from dlint.rules.df407_consecutive_runs import consecutive_runs
from dlint.rules.sc_shellcheck import shellcheck
from dlint.rules.df501_shell_form_entrypoint import shell_form_entrypoint
from dlint.rules.df502_runs_as_root import runs_as_root
from dlint.rules.df503_relative_workdir import relative_workdir
from dlint.rules.df504_invalid_expose import invalid_expose
from dlint.rules.df505_maintainer_deprecated import maintainer_deprecated
from dlint.rules.df506_copy_sources_need_directory import copy_sources_need_directory
from dlint.rules.df507_secret_in_arg_or_env import secret_in_arg_or_env
from dlint.rules.df508_env_self_reference import env_refers_to_same_instruction
from dlint.rules.df509_relative_copy_destination import relative_copy_destination
from dlint.rules.df511_runtime_opt_in import missing_healthcheck, missing_user, non_numeric_user
from dlint.rules.df513_invalid_label_key import invalid_label_key
from dlint.rules.df515_label_schema import label_schema
from dlint.rules.df516_undefined_variable import undefined_variable

ALL_RULES = (
    continuation_swallows_instruction,
    unused_ignore,
    inconsistent_instruction_casing,
    from_as_casing,
    empty_continuation_line,
    multiple_instructions_disallowed,
    legacy_key_value_format,
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
    duplicate_stage_name,
    reserved_stage_name,
    stage_name_casing,
    copy_from_unknown_stage,
    copy_from_own_stage,
    redundant_target_platform,
    undefined_arg_in_from,
    invalid_default_arg_in_from,
    constant_platform_in_from,
    untrusted_registry,
    copy_whole_filesystem,
    copy_context_before_install,
    add_instead_of_copy,
    add_remote_url,
    copy_ignored_or_no_dockerignore,
    prefer_cache_mount,
    volatile_value_before_install,
    pipe_without_pipefail,
    sudo_in_run,
    useradd_high_uid_without_l,
    curl_and_wget,
    wget_without_quiet,
    shell_changed_with_ln,
    consecutive_runs,
    shellcheck,
    shell_form_entrypoint,
    runs_as_root,
    relative_workdir,
    invalid_expose,
    maintainer_deprecated,
    copy_sources_need_directory,
    secret_in_arg_or_env,
    env_refers_to_same_instruction,
    relative_copy_destination,
    missing_healthcheck,
    non_numeric_user,
    missing_user,
    invalid_label_key,
    label_schema,
    undefined_variable,
)
