"""Azure ML's monitoring schedule (azureml/monitoring-schedule.yml) judges drift by the
business goal's threshold: each population stability index it alerts on must be the
goal's monitoring.drift_psi, as `monitor` uses, so both watches agree on what drift is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.goal import load_goal
from .local_runner import read_spec

SCHEDULE_FILE = "monitoring-schedule.yml"
PSI = "population_stability_index"


def psi_thresholds(spec: dict[str, Any]) -> dict[str, Any]:
    """Each PSI threshold of the schedule, by where it is (signal and feature kind)."""
    signals = (spec.get("create_monitor") or {}).get("monitoring_signals") or {}
    found = {}
    for name, signal in signals.items():
        thresholds = (signal or {}).get("metric_thresholds") or {}
        for kind, metrics in thresholds.items():
            if isinstance(metrics, dict) and PSI in metrics:
                found[f"create_monitor.monitoring_signals.{name}.metric_thresholds.{kind}"] = (
                    metrics[PSI]
                )
    return found


def schedule_differences(schedule_file: Path) -> list[str]:
    """Where the schedule's thresholds are not the business goal's; one line each."""
    spec = read_spec(schedule_file)
    task = str(((spec.get("create_monitor") or {}).get("monitoring_target") or {}).get("ml_task"))
    goal_file = schedule_file.resolve().parent.parent / "docs" / "01_business_understanding.md"
    drift_psi = load_goal(goal_file, task).monitoring.drift_psi
    return [
        f"{schedule_file}: {where}.{PSI} is {value}, not the business goal's "
        f"monitoring.drift_psi ({drift_psi})"
        for where, value in psi_thresholds(spec).items()
        if value != drift_psi
    ]
