"""python -m tools.loadtest.api_fuzz [--max-time S]: schemathesis against a live server.

A production-configured gunicorn (server.Gunicorn) on a scratch SQLite database with the
curated register and an editor's token; schemathesis reads the served OpenAPI schema and sends
generated requests to every operation, reads and writes (examples, coverage, fuzzing and its
stateful phase, which chains a created record's id into the operations on it), within a time
budget. The exit status is schemathesis's: non-zero on a 5xx, or on a response that breaks
the schema (its body, its content type). tests/test_api_fuzz.py is the in-process run of the
read operations for anonymous callers.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from .server import BASE_DIR, PROXY_HEADERS, Gunicorn, production_env

CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


def editor_token(env: dict[str, str]) -> str:
    """The key of the demo editor's API token ("Generated token <key> for user editor")."""
    result = subprocess.run(
        [sys.executable, "manage.py", "drf_create_token", "editor"], cwd=BASE_DIR, env=env,
        check=True, capture_output=True, text=True,
    )
    return result.stdout.split()[2]


def prepare(env: dict[str, str]) -> None:
    for command in (["migrate"], ["load_curated"], ["demo_users"]):
        subprocess.run([sys.executable, "manage.py", *command, "--verbosity", "0"], cwd=BASE_DIR,
                       env=env, check=True, stdout=subprocess.DEVNULL)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.loadtest.api_fuzz", description=__doc__)
    parser.add_argument("--max-time", type=int, default=100, help="schemathesis's time budget (s).")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="api-fuzz-") as scratch:
        database = Path(scratch) / "fuzz.sqlite3"
        # Hundreds of requests a minute, from one address: no throttling in this run.
        env = production_env(f"sqlite:///{database}", API_ANON_RATE="1000000/hour")
        prepare(env)
        token = editor_token(env)
        with Gunicorn(env, workers=2, log=Path(scratch) / "gunicorn.log") as server:
            headers = {"Authorization": f"Token {token}", **PROXY_HEADERS}
            command = [
                sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/api/v1/schema/?format=json",
                "--checks", CHECKS, "--max-time", str(args.max_time), "--seed", str(args.seed),
                "--workers", "1", "--max-examples", "25", "--request-timeout", "30",
                "--suppress-health-check", "all", "--no-color",
                *(option for name, value in headers.items() for option in ("--header", f"{name}: {value}")),
            ]
            status = subprocess.run(command, cwd=scratch).returncode  # its cache stays in scratch
            if status:
                log = (Path(scratch) / "gunicorn.log").read_text(errors="replace")
                print("== gunicorn log (last 4000 characters)", log[-4000:], sep="\n")
            return status


if __name__ == "__main__":
    sys.exit(main())
