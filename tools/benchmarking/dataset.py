"""Benchmark databases: one SQLite file per scale and seed under bench/ (git-ignored), generated
once by `generate_synthetic` in a child process and reused while its report file is there and
names the current generator version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tools.synthetic import GENERATOR_VERSION

DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "bench"


@dataclass(frozen=True)
class Dataset:
    path: Path
    citations: int
    seed: int
    generate_s: float
    counts: dict
    reused: bool


def ensure(citations: int, seed: int, directory: Path = DEFAULT_DIRECTORY,
           regenerate: bool = False) -> Dataset:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"synthetic-{citations}-seed{seed}.sqlite3"
    report = path.with_suffix(".json")
    reused = (
        path.exists() and report.exists() and not regenerate
        and json.loads(report.read_text()).get("generator_version") == GENERATOR_VERSION
    )
    if not reused:
        for stale in (path, report, Path(f"{path}-journal"), Path(f"{path}-wal")):
            stale.unlink(missing_ok=True)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{path.resolve()}"}
        subprocess.run(
            [sys.executable, "manage.py", "generate_synthetic", "--migrate", "--citations", str(citations),
             "--seed", str(seed), "--report", str(report)],
            env=env, cwd=settings.BASE_DIR, check=True, stdin=subprocess.DEVNULL,
        )
    meta = json.loads(report.read_text())
    return Dataset(path, citations, seed, meta["generate_s"], meta["counts"], reused)
