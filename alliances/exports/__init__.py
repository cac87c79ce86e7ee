"""CSV exports and the researcher's dataset (DESIGN.md, "Exports").

Modules:
    columns      Column / FileSpec: one definition per column (lookup, converter, type, meaning
                 from the model's help_text, allowed values from its choices, how import restores it)
    tables       TABLES: the flat CSV of each resource, streamed from values_list().iterator();
                 Table.csv_blocks: the same bytes built a column at a time (API, admin downloads)
    csv_stream   stream_csv(rows) -> UTF-8 blocks; csv_response(rows, filename); formula cells neutralised
    bonds        the Party rule per year, read in a fixed number of queries
    agreement_level, members, state_years, dyad_years   the ATOP / COW style derived files
    codebook     every column of every file, as CSV and Markdown
    dataset      export(directory): the Frictionless package; importer: import_package(directory)

Where the API and the admin plug in (the caller chooses the base querysets, e.g. published ones
for anonymous readers; filters raise bonds.InvalidFilter, a ValueError with `.name`, before any
row is produced, so the view can answer 400):

    from alliances.exports.tables import TABLES, table_csv_response
    table_csv_response("agreements", filtered_queryset)             # ?format=csv on a list endpoint
    table_csv_response("agreements", queryset, order_by=None)       # keep the ?ordering= of the view

    from alliances.exports import dyad_years
    from alliances.exports.csv_stream import csv_response
    spec, rows = dyad_years.records(agreements=Agreement.objects.published(),
                                    parties=Party.objects.published(), clauses=Clause.objects.published(),
                                    directed=False, country="UZ", year_from=2000, year_to=None,
                                    provision="defense")            # rows: dicts, for JSON
    csv_response(dyad_years.stream(**same_arguments), "dyad-years.csv")
    # state_years.records/stream(...) take the same arguments (no directed); members takes
    # agreements, parties, country; agreement_level takes agreements, parties, clauses, provision.
"""
