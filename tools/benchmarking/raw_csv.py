"""The limit for a CSV export: python -m tools.benchmarking.raw_csv DB TABLE > out.csv

Nothing but sqlite3 and csv.writer, streaming the whole table in id order (no Django).
"""

import csv
import sqlite3
import sys


def main(database: str, table: str) -> None:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    cursor = connection.execute(f'SELECT * FROM "{table}" ORDER BY id')
    sys.stdout.reconfigure(encoding="utf-8")
    writer = csv.writer(sys.stdout)
    writer.writerow([column[0] for column in cursor.description])
    while rows := cursor.fetchmany(1000):
        writer.writerows(rows)


if __name__ == "__main__":
    main(*sys.argv[1:3])
