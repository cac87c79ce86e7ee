"""python -m tools.loadtest [scenario ...] [options]: exit status 0 when every check holds.

Scenarios: load (the plain load test, the default), kill-worker, restart-postgres, backup,
all (the four, in that order). Without PostgreSQL at
DATABASE_URL each scenario says so and exits 0 (skipped), or 1 with --require-postgres.
"""

import argparse
import os
import sys

from .server import postgres_available, scratch_database

DEFAULT_URL = "postgres://alliance:alliance@127.0.0.1:5432/alliance_register"


def seconds(value: str) -> int:
    return int(value[:-1]) * {"s": 1, "m": 60}[value[-1]] if value[-1] in "sm" else int(value)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.loadtest", description=__doc__)
    parser.add_argument("scenarios", nargs="*", default=["load"], metavar="scenario",
                        help="load (default), kill-worker, restart-postgres, backup or all")
    parser.add_argument("--run-time", type=seconds, default=30, help="Load duration (30, 30s, 1m).")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers.")
    parser.add_argument("--synthetic", type=int, default=0, help="Also generate N synthetic citations.")
    parser.add_argument("--require-postgres", action="store_true", help="Fail instead of skipping.")
    args = parser.parse_args(argv)

    everything = ["load", "kill-worker", "restart-postgres", "backup"]
    scenarios = everything if "all" in args.scenarios else args.scenarios
    unknown = set(scenarios) - set(everything)
    if unknown:
        parser.error(f"unknown scenario: {', '.join(sorted(unknown))}")
    database_url = os.getenv("DATABASE_URL") or DEFAULT_URL
    why_not = postgres_available(database_url)
    if why_not:
        print(f"[{' '.join(scenarios)}] skipped: {why_not}")
        return 1 if args.require_postgres else 0

    from . import faults
    from .run import Options

    status = 0
    for scenario in scenarios:
        with scratch_database(database_url) as url:
            if scenario == "backup":
                status |= faults.backup(url, database_url)
                continue
            options = Options(database_url=url, run_time=args.run_time, users=args.users,
                              spawn_rate=args.spawn_rate, workers=args.workers,
                              synthetic=args.synthetic, name=scenario)
            status |= faults.SCENARIOS[scenario](options)
        sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
