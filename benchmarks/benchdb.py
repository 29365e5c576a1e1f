"""What the benchmarks share: a throwaway database with the addon installed."""

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def setup_database(work, db):
    """Install the addon (linked as amazon_sp_connector) in a new database ``db``.

    :returns: the addons folder to put on Odoo's addons path
    """
    addons = work / "addons"
    addons.mkdir()
    (addons / "amazon_sp_connector").symlink_to(HERE)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            "--addons-path",
            str(addons),
            "--data-dir",
            str(work / "data"),
            "-i",
            "amazon_sp_connector",
            "--stop-after-init",
            "--log-level",
            "warn",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return addons


def drop_database(db):
    import psycopg2  # noqa: PLC0415

    if "odoo.sql_db" in sys.modules:
        sys.modules["odoo.sql_db"].close_db(db)
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db,))
        cr.execute(f'DROP DATABASE IF EXISTS "{db}"')
    conn.close()


def in_database(name, function, *args):
    """Run ``function(db, *args)`` with Odoo configured on a new throwaway database with the
    addon, then drop it.

    :returns: what ``function`` returns
    """
    work = Path(tempfile.mkdtemp(prefix="amazon_bench_"))
    db = f"{name}_{os.getpid()}"
    try:
        addons = setup_database(work, db)
        from odoo.tools import config  # noqa: PLC0415

        config.parse_config(
            ["--addons-path", str(addons), "--data-dir", str(work / "data"), "--log-level", "warn", "-d", db]
        )
        logging.getLogger("httpx").setLevel(logging.WARNING)
        return function(db, *args)
    finally:
        drop_database(db)
        shutil.rmtree(work, ignore_errors=True)


def demo_emulator():
    """The SP-API emulator with its demo seller (no order), every usage plan fast: the
    benchmarks measure processing, not Amazon's pacing."""
    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS, load_demo  # noqa: PLC0415
    from odoo.addons.amazon_sp_connector.emulator.server import SpApiEmulator  # noqa: PLC0415

    emulator = SpApiEmulator().start()
    load_demo(emulator)
    emulator.seller(DEMO_CREDENTIALS["Seller ID"]).orders.clear()
    for operation in list(emulator.plans):
        emulator.set_plan(operation, 1000.0, emulator.plans[operation][1])
    return emulator


def demo_account(env, emulator, **values):
    """An Amazon US account of the demo seller on ``emulator``."""
    from odoo.addons.amazon_sp_connector.emulator.scenarios import DEMO_CREDENTIALS  # noqa: PLC0415

    return env["amazon.account"].create(
        {
            "name": "Benchmark",
            "seller_id": DEMO_CREDENTIALS["Seller ID"],
            "lwa_client_id": DEMO_CREDENTIALS["LWA Client ID"],
            "lwa_client_secret": DEMO_CREDENTIALS["LWA Client Secret"],
            "refresh_token": DEMO_CREDENTIALS["Refresh Token"],
            "base_marketplace_id": env.ref("amazon_sp_connector.marketplace_atvpdkikx0der").id,
            "sp_api_endpoint": emulator.url,
            "lwa_endpoint": emulator.lwa_url,
            **values,
        }
    )
