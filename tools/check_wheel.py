#!/usr/bin/env python3
"""Build the addon's wheel (``pip wheel``, whool) and check what a pip user gets.

    python3 tools/check_wheel.py            # needs whool==1.3.1 (test-requirements.txt)
    python3 tools/check_wheel.py --keep DIR # and leave the wheel in DIR

Checks, exit 1 with one line per problem:

- the distribution is ``odoo-addon-amazon_sp_connector`` (whatever the checkout is called),
  requires ``odoo==19.0.*`` and every Python package of the manifest's external_dependencies;
- every file of the addon's folders that Odoo or the tests read (models, views, data,
  security, i18n, static, emulator, spapi, report, wizards, controllers, migrations, tests) and
  every file the manifest loads is in it, under ``odoo/addons/amazon_sp_connector/``;
- none of the developers' files is (benchmarks, tools, CI and lint settings, ./try-it,
  ./run-tests), nor byte code;
- installed with pip in a new virtualenv that sees this Python's Odoo, Odoo finds the addon
  there without an addons path.

The wheel is built without build isolation, so nothing is downloaded.
"""

import argparse
import ast
import glob
import os
import subprocess
import sys
import tempfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDON = "amazon_sp_connector"
PREFIX = f"odoo/addons/{ADDON}/"
DISTRIBUTION = f"odoo-addon-{ADDON}"

# Folders whose every file ships (Odoo loads them, or the shipped tests and ./try-it need them).
SHIPPED_FOLDERS = (
    "controllers",
    "data",
    "emulator",
    "i18n",
    "migrations",
    "models",
    "report",
    "security",
    "spapi",
    "static",
    "tests",
    "views",
    "wizards",
)
SHIPPED_FILES = ("__init__.py", "__manifest__.py", "README.md", "const.py", "exceptions.py")
# What only the addon's developers use.
DEV_ONLY = (
    ".ci/",
    ".gitignore",
    ".oca_hooks.cfg",
    ".pre-commit-config.yaml",
    ".pylintrc",
    "benchmarks/",
    "pyproject.toml",
    "ruff.toml",
    "run-tests",
    "test-requirements.txt",
    "tools/",
    "try-it",
)


def build_wheel(directory):
    """``pip wheel`` of the checkout into ``directory``; returns the wheel's path."""
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip_wheel, "--wheel-dir", str(directory), str(ROOT)], check=True)
    [wheel] = Path(directory).glob("*.whl")
    return wheel


def expected_files():
    """The addon's files a user needs, relative to the addon (from the checkout's folders)."""
    files = {name for name in SHIPPED_FILES if (ROOT / name).is_file()}
    for folder in SHIPPED_FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.add(path.relative_to(ROOT).as_posix())
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
    loaded = list(manifest.get("data", [])) + list(manifest.get("demo", []))
    for bundle in manifest.get("assets", {}).values():
        for asset in bundle:
            pattern = asset if isinstance(asset, str) else asset[-1]
            if pattern.startswith(f"{ADDON}/"):
                loaded += [
                    Path(p).relative_to(ROOT).as_posix()
                    for p in glob.glob(str(ROOT / pattern.removeprefix(f"{ADDON}/")), recursive=True)
                ] or [pattern.removeprefix(f"{ADDON}/")]
    return files | set(loaded), manifest


def check_contents(wheel):
    """Problems with the wheel's name, requirements and files (list of str)."""
    problems = []
    expected, manifest = expected_files()
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [metadata_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = HeaderParser().parsestr(archive.read(metadata_name).decode())
    if metadata["Name"] != DISTRIBUTION:
        problems.append(f"distribution is named {metadata['Name']!r}, not {DISTRIBUTION!r}")
    requires = set(metadata.get_all("Requires-Dist") or [])
    for requirement in ["odoo==19.0.*", *manifest.get("external_dependencies", {}).get("python", [])]:
        if requirement not in requires:
            problems.append(f"does not require {requirement!r} (requires: {sorted(requires)})")
    shipped = {n.removeprefix(PREFIX) for n in names if n.startswith(PREFIX)}
    others = [n for n in names if not n.startswith(PREFIX) and ".dist-info/" not in n]
    problems += [f"outside the addon: {name}" for name in sorted(others)]
    problems += [f"missing from the wheel: {name}" for name in sorted(expected - shipped)]
    for name in sorted(shipped):
        if any(name == dev or (dev.endswith("/") and name.startswith(dev)) for dev in DEV_ONLY):
            problems.append(f"developers' file in the wheel: {name}")
        elif name.endswith(".pyc") or "__pycache__/" in name:
            problems.append(f"byte code in the wheel: {name}")
    return problems


def check_install(wheel, workdir):
    """Problems installing the wheel with pip in a new virtualenv that sees this Python's Odoo."""
    venv = Path(workdir) / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check", str(wheel)],
        check=True,
    )
    probe = (
        "from odoo.tools import config; config.parse_config([]);"
        "from odoo.modules import module; module.initialize_sys_path();"
        f"print(module.get_module_path({ADDON!r}))"
    )
    found = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=workdir, check=False
    ).stdout.strip()
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if found != str(Path(site) / PREFIX.rstrip("/")):
        return [f"Odoo does not find the pip-installed addon in {site}: get_module_path gave {found!r}"]
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="build the wheel into DIR and leave it there")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amazon_wheel_") as workdir:
        wheel = build_wheel(args.keep or workdir)
        problems = check_contents(wheel)
        if not problems:
            problems = check_install(wheel, workdir)
    for problem in problems:
        print(f"check_wheel: {problem}", file=sys.stderr)  # noqa: T201
    if problems:
        return 1
    print(f"check_wheel: {wheel.name} ships the addon and nothing else; Odoo finds it once pip-installed")  # noqa: T201
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    sys.exit(main())
