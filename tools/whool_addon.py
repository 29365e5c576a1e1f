"""PEP 517 build backend: whool (OCA's build backend for Odoo addons), shipping only the addon.

whool packages every file git tracks in the addon's folder and names the distribution after
that folder. Here the repository's root is the addon, so a plain whool build would ship the
developers' tools too and call the addon after the checkout (``main``, ``wt-x``...). This
backend calls whool's own build on a link named ``amazon_sp_connector`` to the checkout and
leaves out :data:`DEV_ONLY`; metadata, version, dependencies and layout stay whool's.
It relies on whool 1.3.1's internals (pinned in pyproject.toml).
"""

import shutil
from contextlib import contextmanager
from pathlib import Path

from whool import buildapi

ADDON = "amazon_sp_connector"

# What only the developers of the addon use: never in a wheel. tests/ and emulator/ stay in
# (OCA wheels carry their addon's tests; the tests, Odoo's test runner and ./try-it need the
# emulator).
DEV_ONLY = (
    ".ci",
    ".gitignore",
    ".oca_hooks.cfg",
    ".pre-commit-config.yaml",
    ".pylintrc",
    "benchmarks",
    "ruff.toml",
    "run-tests",
    "test-requirements.txt",
    "tools",
    "try-it",
)


def _addon_link():
    """The checkout under the addon's name: build/amazon_sp_connector -> the checkout (kept:
    an editable install points through it). whool's build/ holds only ignored files."""
    checkout = Path.cwd()
    if checkout.name == ADDON:
        return checkout
    build = checkout / "build"
    build.mkdir(exist_ok=True)
    (build / ".gitignore").write_text("*")
    link = build / ADDON
    if not (link.is_symlink() and link.resolve() == checkout.resolve()):
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(checkout, target_is_directory=True)
    return link


_whool_copy_to = buildapi._copy_to


def _copy_shipped(addon_dir, dst):
    _whool_copy_to(addon_dir, dst)
    for name in DEV_ONLY:
        path = Path(dst) / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


@contextmanager
def _shipped_only():
    buildapi._copy_to = _copy_shipped
    try:
        yield
    finally:
        buildapi._copy_to = _whool_copy_to


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with _shipped_only():
        return buildapi._build_wheel(_addon_link(), Path(wheel_directory), editable=False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return buildapi._build_wheel(_addon_link(), Path(wheel_directory), editable=True)


def build_sdist(sdist_directory, config_settings=None):
    return buildapi._build_sdist(_addon_link(), Path(sdist_directory))


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return buildapi._make_dist_info(buildapi._get_metadata(_addon_link()), Path(metadata_directory))


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
