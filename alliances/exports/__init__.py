"""CSV exports and the researcher's dataset.

For the API and the admin:

- `tables.TABLES[name]`: the flat CSV definition of each resource (countries, organisations,
  memberships, persons, agreements, parties, clauses, provision-types, claims, sources,
  citations); `TABLES[name].stream(queryset)` yields the header and the rows.
- `dyad_years.stream(...)`, `state_years.stream(...)`, `members.stream(...)`: the derived
  files, from base querysets the caller chooses (published ones for anonymous readers).
- `csv_stream.csv_response(rows, filename)`: a streamed, formula-safe CSV download.
- `codebook`: every column of every file; `dataset`: the Frictionless package on disk.
"""
