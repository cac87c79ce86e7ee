"""The scenarios: plain load, a worker killed, PostgreSQL restarted under load, backup/restore.

Each returns an exit status (0: every check held) and prints its figures.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .run import Options, Result, report, run
from .server import manage, production_env, scratch_database

FAULT_AT = 8  # seconds into the load


def load(options: Options) -> int:
    result = run(options)
    result.check(result.figures["failures"] == 0, f"{result.figures['failures']} requests failed")
    return report(result)


def kill_worker(options: Options) -> int:
    """SIGKILL one gunicorn worker mid-load: at most its in-flight request fails (a sync worker
    serves one at a time), the master starts a replacement, no acknowledged write is lost."""

    def fault(server, t0, notes):
        time.sleep(max(0, t0 + FAULT_AT - time.time()))
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        notes["killed_worker"] = victim
        notes["killed_at_s"] = round(time.time() - t0, 1)

    result = run(options, fault)
    killed = 1
    result.check("killed_worker" in result.notes, "no worker was killed")
    result.check(result.figures["failures"] <= killed,
                 f"{result.figures['failures']} requests failed, more than the {killed} in flight")
    result.check(result.notes.get("workers_after") == options.workers,
                 f"{result.notes.get('workers_after')} workers after the kill, expected {options.workers}")
    return report(result)


def pg_cluster() -> tuple[str, str] | None:
    """(version, cluster) of the local PostgreSQL cluster, when pg_ctlcluster can drive it."""
    if not shutil.which("pg_lsclusters") or not shutil.which("pg_ctlcluster"):
        return None
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2] == "5432" and fields[3] == "online":
            return fields[0], fields[1]
    return None


DOWN_SECONDS = 4


def restart_postgres(options: Options) -> int:
    """Stop PostgreSQL for a few seconds mid-load, then start it: while it is down requests fail
    cleanly (503, JSON under /api/, no traceback), and they succeed again within seconds of its
    return, without restarting gunicorn."""
    cluster = pg_cluster()
    if cluster is None:
        print("[restart-postgres] skipped: no local cluster on port 5432 that pg_ctlcluster drives")
        return 0

    def fault(server, t0, notes):
        time.sleep(max(0, t0 + FAULT_AT - time.time()))
        notes["stop_at"] = time.time()
        subprocess.run(["pg_ctlcluster", *cluster, "stop", "-m", "fast"], check=True)
        notes["stopped_at"] = time.time()
        time.sleep(DOWN_SECONDS)
        subprocess.run(["pg_ctlcluster", *cluster, "start"], check=True)
        notes["started_at"] = time.time()

    result = run(options, fault)
    check_outage(result)
    return report(result)


def check_outage(result: Result, recovery_seconds: float = 5) -> None:
    notes = result.notes
    if "started_at" not in notes:
        result.check(False, "PostgreSQL was not restarted")
        return
    failed = [event for event in result.events if event["status"] not in (200, 201)]
    unavailable = [event for event in failed if event["status"] == 503]
    unclean = [
        event for event in failed
        if event["status"] != 503 or not event.get("json") or event.get("traceback")
    ]
    after = [event for event in result.events if event["t"] > notes["started_at"]]
    first_ok = next((event["t"] for event in after if event["status"] in (200, 201)), None)
    late = [event for event in failed if event["t"] > notes["started_at"] + recovery_seconds]
    notes.update(
        outage_s=round(notes["started_at"] - notes["stop_at"], 1), answered_503=len(unavailable),
        unclean_failures=len(unclean),
        recovered_after_s=round(first_ok - notes["started_at"], 2) if first_ok else None,
        failures_after_recovery=len(late),
    )
    for key in ("stop_at", "stopped_at", "started_at"):
        notes[key] = round(notes[key] - result.events[0]["t"], 1) if result.events else notes[key]
    result.check(len(unavailable) > 0, "no request saw the database down (no 503)")
    result.check(not unclean, f"failures other than a JSON 503: {unclean[:5]}")
    result.check(first_ok is not None, "no request succeeded after PostgreSQL came back")
    result.check(not late, f"{len(late)} requests failed {recovery_seconds} s after PostgreSQL was back")


def table_counts(database_url: str) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    dsn = database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(dsn) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )]
        count = sql.SQL("SELECT count(*) FROM {}")
        return {
            table: connection.execute(count.format(sql.Identifier(table))).fetchone()[0] for table in tables
        }


def backup(url: str, admin_url: str) -> int:
    """pg_dump -Fc of a loaded database, pg_restore into a fresh one: every table's row count
    is the same. Then the portable backup: export_dataset, import_dataset into a third database,
    export again: the files are byte-identical."""
    failures = []
    env = production_env(url)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("load_curated", "-v0", env=env)
    with tempfile.TemporaryDirectory() as tmp, scratch_database(admin_url, "_restored") as restored:
        dump = Path(tmp) / "alliance_register.dump"
        started = time.monotonic()
        subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), pg_url(url)], check=True)
        restore = ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", pg_url(restored), str(dump)]
        subprocess.run(restore, check=True)
        took = time.monotonic() - started
        before, after = table_counts(url), table_counts(restored)
        rows = sum(before.values())
        if before != after:
            differ = {table: (n, after.get(table)) for table, n in before.items() if n != after.get(table)}
            failures.append(f"row counts differ (before, after): {differ}")
        print(f"[backup] pg_dump -Fc + pg_restore: {len(before)} tables, {rows} rows, "
              f"{dump.stat().st_size} bytes, {took:.1f} s, counts {'equal' if before == after else 'DIFFER'}")
        failures += dataset_round_trip(url, admin_url, Path(tmp))
    for failure in failures:
        print(f"[backup] FAILED: {failure}")
    print(f"[backup] {'FAILED' if failures else 'OK'}")
    return 1 if failures else 0


def dataset_round_trip(url: str, admin_url: str, tmp: Path) -> list[str]:
    first, second = tmp / "export", tmp / "export-again"
    with scratch_database(admin_url, "_imported") as imported:
        manage("export_dataset", str(first), env=production_env(url))
        env = production_env(imported)
        manage("migrate", "--noinput", "-v0", env=env)
        manage("import_dataset", str(first), env=env)
        manage("export_dataset", str(second), env=env)
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    differ = [str(name) for name in files if not same_file(first / name, second / name)]
    verdict = "differ: " + ", ".join(differ) if differ else "byte-identical (the descriptor but its time)"
    print(f"[backup] export_dataset -> import_dataset -> export_dataset: {len(files)} files, {verdict}")
    return [f"dataset round trip differs: {differ}"] if differ else []


def same_file(one: Path, other: Path) -> bool:
    if one.name == "datapackage.json":  # says when it was written; its file hashes must agree
        first, second = (json.loads(path.read_text()) for path in (one, other))
        return {**first, "created": None} == {**second, "created": None}
    return one.read_bytes() == other.read_bytes()


def pg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


SCENARIOS = {"load": load, "kill-worker": kill_worker, "restart-postgres": restart_postgres}
