"""A team's own table for the deep tier: the default bake is switched to it after training
on the sample, the way its README's "Bring your own data" says.

The table is made here (no download): an order id, an ISO date, a temperature with gaps,
a shop with many values, a true/false promotion and a text target with three imbalanced
classes that depends on them, so a model that reads the columns beats the dummy.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import yaml

ROWS = 900
TARGET = "demand"
CLASSES = ("low", "normal", "high")
# The gate the team would write for imbalanced classes: every class counts alike.
GOAL = """---
metric: f1_macro
direction: maximize
threshold: 0.5
must_beat: dummy
min_improvement: 0.0
---

# Demand level of an order
"""


def demand(temperature: float, promotion: bool, day: date, noise: float) -> str:
    score = 0.08 * temperature + (1.2 if promotion else 0.0) + (0.9 if day.weekday() >= 5 else 0.0)
    score += noise
    if score > 3.2:
        return "high"
    return "normal" if score > 1.3 else "low"


def own_rows(rows: int, seed: int, with_target: bool) -> list[dict[str, object]]:
    generator = random.Random(seed)
    records: list[dict[str, object]] = []
    for index in range(rows):
        day = date(2024, 1, 1) + timedelta(days=generator.randrange(500))
        temperature = generator.gauss(16, 8)
        promotion = generator.random() < 0.3
        record: dict[str, object] = {
            "order_id": f"ORD-{seed}-{index:05d}",
            "ordered_on": day.isoformat(),
            # A tenth of the readings are missing: the model fills them in.
            "temperature": "" if generator.random() < 0.1 else round(temperature, 1),
            "shop": f"shop {generator.randrange(80):02d}",
            "promotion": promotion,
        }
        if with_target:
            record[TARGET] = demand(temperature, promotion, day, generator.gauss(0, 0.4))
        records.append(record)
    return records


def write_table(path: Path, rows: int, seed: int, with_target: bool = True) -> Path:
    records = own_rows(rows, seed, with_target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return path


def switch_to_own_data(project: Path) -> Path:
    """Point the project at the table: data.source, data.target, the task and the gate;
    the model is the classification one, and the bake's class_threshold stays as it is.
    Returns the table's path."""
    table = write_table(project / "data/raw/orders.csv", ROWS, seed=7)
    params_file = project / "params.yaml"
    params = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    params["task"] = "classification"
    params["data"].update(source="data/raw/orders.csv", target=TARGET)
    params["model"] = {"name": "logistic", "params": {"C": 1.0, "max_iter": 1000}}
    params_file.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    (project / "docs/01_business_understanding.md").write_text(GOAL, encoding="utf-8")
    return table
