"""`manage.py benchmark`: our server against Datasette on the same synthetic SQLite file.

dataset  generates (once) and finds the databases under bench/
servers  gunicorn and Datasette on loopback, always stopped
client   timed downloads and pages (bounded by timeouts)
inprocess  query counts and the dyad-year export, inside Django
raw_csv  the limit: sqlite3 + csv.writer
runner   the measurements, the JSON report and the table
"""
