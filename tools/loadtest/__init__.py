"""Load test and fault scenarios against a production-configured gunicorn on PostgreSQL.

python -m tools.loadtest [load|kill-worker|restart-postgres|backup] (make loadtest runs `load`).
Each scenario works in a scratch database beside the one DATABASE_URL names (same server and
role, name suffixed `_loadtest`), so it never writes into a database holding real data.
"""
