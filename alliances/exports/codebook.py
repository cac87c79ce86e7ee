"""The codebook: every column of every exported file, generated from the column definitions
(themselves taken from the models' help texts and choices), as CSV and Markdown."""

from collections.abc import Iterator

from . import agreement_level, dyad_years, members, state_years
from .bonds import ProvisionColumn, provision_columns
from .columns import Column, FileSpec
from .tables import TABLES

CODEBOOK = FileSpec(
    "codebook", "Codebook",
    "Every column of every file of the dataset: its type, meaning and allowed values.",
    (
        Column("file", "string", "The file the column belongs to."),
        Column("column", "string", "The column's name, as in the file's header."),
        Column("type", "string", "Frictionless field type of the column.",
               allowed=("string", "integer", "number", "date", "datetime", "boolean")),
        Column("description", "string", "What the column holds."),
        Column("allowed_values", "string", "The values the column may take, joined with ';'; empty: any."),
    ),
)


def files(columns: list[ProvisionColumn] | None = None) -> list[FileSpec]:
    """Every file of the dataset, tables first, then the derived files and the codebook."""
    columns = provision_columns() if columns is None else columns
    return [
        *TABLES.values(), agreement_level.spec(columns), members.spec(), state_years.spec(columns),
        dyad_years.spec(columns),
        dyad_years.spec(columns, directed=True), CODEBOOK,
    ]


def entries(specs: list[FileSpec] | None = None) -> Iterator[dict]:
    for spec in specs if specs is not None else files():
        for column in spec.columns:
            yield {
                "file": spec.filename, "column": column.name, "type": column.type,
                "description": column.description, "allowed_values": ";".join(column.allowed) or None,
            }


def stream(specs: list[FileSpec] | None = None) -> Iterator[list]:
    return CODEBOOK.render(entries(specs))


def markdown(specs: list[FileSpec] | None = None) -> str:
    specs = specs if specs is not None else files()
    lines = [
        "# Alliance Register: codebook", "",
        "Generated from the models' help texts; lists are joined with `;`; an empty cell is a "
        "missing value. Partial dates are reduced-precision ISO 8601 (`2021-06-15`, `2022-02`, "
        "`2017`) with a `_precision` column. Text cells that a spreadsheet could read as a formula "
        "(starting with `=`, `+`, `-`, `@`, tab, CR, LF), or that start with `'`, carry one "
        "leading `'`.",
    ]
    for spec in specs:
        lines += ["", f"## {spec.filename}: {spec.title}", "", spec.description, "",
                  "| column | type | meaning | allowed values |", "|---|---|---|---|"]
        lines += [
            f"| `{column.name}` | {column.type} | {_cell(column.description)} | "
            f"{', '.join(f'`{value}`' for value in column.allowed)} |"
            for column in spec.columns
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
