"""End to end: the CLI runs every stage on the sample data and on a team's own CSV."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
{%- if cookiecutter.tracking != "mlflow" %}
from pathlib import Path
{%- endif %}

import typer
import yaml
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli.app import SUMMARY, app
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import plain, text
from {{ cookiecutter.module_name }}.stages import pipeline

from .conftest import PROJECT_ROOT, write_patients_csv
from .messages import ending, says

runner = CliRunner()
STORY = "The clinic's planners book follow-up visits by the predicted progression."
STAGES = ["prepare", "analyze", "preprocess", "train", "evaluate", "register"]
SCIENTIFIC = {"sklearn", "pandas", "numpy", "scipy", "matplotlib", "pyarrow", "skops", "mlflow"}


def run_cli(paths: ProjectPaths, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--root", str(paths.root)])
    return result.exit_code, result.output


def test_run_on_sample_data(paths: ProjectPaths) -> None:
    with paths.business_goal.open("a", encoding="utf-8") as goal:
        goal.write(f"\n# The goal\n\n## Who uses it\n\n{STORY}\n\n## Value\n\nTo be measured.\n")
    code, output = run_cli(paths, "run")
    assert code == 0, output
    for stage in STAGES:
        assert f"{stage}:" in output
    metrics = json.loads((paths.reports / "metrics.json").read_text())
    assert set(metrics) >= {"cv", "holdout", "baseline", "goal"}
    assert metrics["goal"]["met"] is True
    assert (paths.candidate / "model.skops").is_file()
    registration = json.loads((paths.reports / "registration.json").read_text())
    first = text("decision.first")
    assert registration == {"registered": True, "version": 1, "reason": first}
    for report in ("02_analysis_report.md", "06_test_report.md"):
        assert (paths.docs / report).stat().st_size > 500

    # Same data, same params: the second run's model is no better, so nothing new is stored.
    code, output = run_cli(paths, "run")
    assert code == 0, output
    assert f"register: {text('summary.not_registered', reason='')}" in output
    # No download bar among the stages' summaries (MLflow draws one fetching the champion).
    assert "Downloading artifacts" not in output, output
    assert json.loads((paths.reports / "registration.json").read_text())["registered"] is False

    code, listing = run_cli(paths, "models", "list")
    assert code == 0, listing
    assert plain("cli.models.champion") in listing
    code, shown = run_cli(paths, "models", "show", "1")
    assert code == 0, shown
    details = json.loads(shown)
    assert details["version"] == 1
    assert details["champion"] is True
    assert details["goal"]["met"] is True
    code, card = run_cli(paths, "models", "card", "1")
    assert code == 0, card
    assert card.startswith("# ")
    assert details["sha256"] in card
    metric = details["goal"]["metric"]
    assert f"| {metric} | {details['holdout'][metric]:.4g} |" in card
    # The business goal's first section, as the team wrote it, is the intended use.
    assert f"\n{STORY}\n" in card
    assert "To be measured" not in card

    bundle = paths.root / "deploy"
    code, output = run_cli(paths, "models", "export", str(bundle))
    assert code == 0, output
    assert (bundle / "model.skops").is_file()
    smoke = runner.invoke(app, ["models", "smoke", str(bundle)]).output
    passed = text("cli.models.smoke_passed", summary=text("smoke.bundle", version=1, count=5))
    assert passed in smoke

    # Batch prediction with the champion, on the sample as a CSV file.
    rows = paths.root / "rows.csv"
    assert runner.invoke(app, ["sample-data", str(rows)]).exit_code == 0
    scored = paths.root / "scored.parquet"
    code, output = run_cli(paths, "predict", str(rows), "-o", str(scored))
    assert code == 0, output
    assert f"predict: {text('cli.predicted', rows=442, version=1, output=scored)}" in output
    code, output = run_cli(paths, "predict", str(rows), "-o", str(paths.root / "scored.xlsx"))
    assert (code, output.strip().count("\n")) == (1, 0), output
    assert re.search(says("error.file_type.role", suffix="'.xlsx'", output=True), output), output
{%- if cookiecutter.tracking == "local" %}

    # A stored card edited afterwards is refused, as a changed model file is.
    stored = paths.registry / "v1" / "model_card.md"
    stored.write_text(stored.read_text(encoding="utf-8") + "\nEdited later.\n", encoding="utf-8")
    code, output = run_cli(paths, "models", "card", "1")
    assert (code, output.count("\n")) == (1, 1), output
    assert re.search(says("error.card_hash", version=1), output), output
{%- endif %}


def test_models_commands_refuse_bad_requests_in_one_line(paths: ProjectPaths) -> None:
    code, output = run_cli(paths, "models", "export", str(paths.root / "deploy"))
    assert code == 1
    assert re.search(says("error.no_champion"), output), output
    code, output = run_cli(paths, "models", "rollback")
    assert code == 1
    assert output.count("\n") == 1
    assert re.search(says("error.no_earlier_champion"), output), output
    code, output = run_cli(paths, "models", "promote", "3")
    assert code == 1
    assert re.search(says("error.no_version", version=3), output), output
    code, output = run_cli(paths, "models", "card", "3")
    assert (code, output.count("\n")) == (1, 1), output
    assert re.search(says("error.no_version", version=3), output), output


def use_ridge(paths: ProjectPaths, alpha: float) -> None:
    params = yaml.safe_load(paths.params.read_text())
    params.update(task="regression", model={"name": "ridge", "params": {"alpha": alpha}})
    params["data"]["class_threshold"] = None
    paths.params.write_text(yaml.safe_dump(params))


def retrain(paths: ProjectPaths) -> str:
    """After a change of hyper-parameters, the stages that depend on them, one by one."""
    outputs = []
    for stage in ("train", "evaluate", "register"):
        code, output = run_cli(paths, stage)
        assert code == 0, f"{stage}: {output}"
        outputs.append(output)
    return "".join(outputs)


def test_params_change_registers_only_when_it_improves_the_goal(paths: ProjectPaths) -> None:
    paths.business_goal.write_text(
        "---\nmetric: rmse\ndirection: minimize\nthreshold: 60\nmust_beat: dummy\n---\n"
    )
    use_ridge(paths, 1.0)
    assert f"register: {text('summary.registered', version=1)}" in run_cli(paths, "run")[1]
    use_ridge(paths, 10.0)  # holdout RMSE 53.63 against the champion's 53.78
    assert f"register: {text('summary.registered', version=2)}" in retrain(paths)
    use_ridge(paths, 0.1)  # 53.84: meets the goal, but worse than the champion
    assert f"register: {text('summary.not_registered', reason='')}" in retrain(paths)
    listing = run_cli(paths, "models", "list")[1]
    assert [line.split()[0] for line in listing.splitlines()[1:]] == ["1", "2"]
    assert listing.splitlines()[2].rstrip().endswith(plain("cli.models.champion"))


def test_each_stage_runs_on_its_own(paths: ProjectPaths) -> None:
    for stage in STAGES:
        code, output = run_cli(paths, stage)
        assert code == 0, f"{stage}: {output}"


def use_patients_csv(paths: ProjectPaths) -> None:
    """Point the project at a team's own table, as its README says: params and goal."""
    write_patients_csv(paths.root / "data/raw/patients.csv")
    params = yaml.safe_load(paths.params.read_text())
    params.update(task="regression", model={"name": "ridge", "params": {"alpha": 1.0}})
    params["data"].update(source="data/raw/patients.csv", target="outcome", class_threshold=None)
    paths.params.write_text(yaml.safe_dump(params))
    paths.business_goal.write_text(
        "---\nmetric: rmse\ndirection: minimize\nthreshold: 10\nmust_beat: dummy\n---\n"
    )


def test_run_on_own_csv_with_categories_and_gaps(paths: ProjectPaths) -> None:
    use_patients_csv(paths)
    code, output = run_cli(paths, "run")
    assert code == 0, output
    metrics = json.loads((paths.reports / "metrics.json").read_text())
    assert metrics["holdout"]["rmse"] < metrics["baseline"]["rmse"] / 2
    assert "`smoker`" in (paths.docs / "02_analysis_report.md").read_text()


def test_switching_data_after_a_registration_replaces_the_champion(paths: ProjectPaths) -> None:
    """The sample's champion cannot read a team's own table: it is not re-scored on it,
    the decision says why, and the challenger that meets the goal replaces it."""
    assert f"register: {text('summary.registered', version=1)}" in run_cli(paths, "run")[1]
    use_patients_csv(paths)
    code, output = run_cli(paths, "run")
    assert code == 0, output
    assert f"register: {text('summary.registered', version=2)}" in output
    metrics = json.loads((paths.reports / "metrics.json").read_text())
    assert metrics["champion"]["version"] == 1
    assert metrics["champion"]["holdout"] is None
    assert metrics["champion"]["other_data"]["what"] in ("task", "target")
    change = metrics["champion"]["other_data"]
    what = text(f"change.{change['what']}", was=change["was"], now=change["now"])
    sentence = text("decision.other_data", version=1, change=what)
    assert metrics["decision"]["reasons"][-1] == sentence  # in the project's language
    assert sentence in (paths.docs / "06_test_report.md").read_text(encoding="utf-8")
    code, shown = run_cli(paths, "models", "show", "2")
    assert code == 0, shown
    assert json.loads(shown)["champion"] is True
    assert json.loads(shown)["schema"]["target"] == "outcome"


def test_bad_data_fails_in_one_line_and_keeps_artifacts(paths: ProjectPaths) -> None:
    assert run_cli(paths, "run")[0] == 0
    model_before = (paths.candidate / "model.skops").read_bytes()
    metrics_before = (paths.reports / "metrics.json").read_text()

    (paths.root / "broken.csv").write_text("a,b\n1,2\n3,4\n")
    params = paths.params.read_text().replace("source: sklearn:diabetes", "source: broken.csv")
    paths.params.write_text(params)
    code, output = run_cli(paths, "run")
    assert code == 1
    # The check before the stages names the key and the file.
    missing = says(
        "error.target_not_in", target="'progression'", path=ending("broken.csv"), columns="a, b"
    )
    assert re.search(missing, output), output
    assert "Traceback" not in output
    assert (paths.candidate / "model.skops").read_bytes() == model_before
    assert (paths.reports / "metrics.json").read_text() == metrics_before


def test_a_path_the_filesystem_refuses_fails_in_one_line(paths: ProjectPaths) -> None:
    assert run_cli(paths, "prepare")[0] == 0
    paths.reports.mkdir(parents=True, exist_ok=True)
    (paths.reports / "figures").write_text("a file where the figures folder belongs")
    code, output = run_cli(paths, "analyze")
    assert code == 1
    assert output.startswith(f"{plain('cli.error')} "), output
    assert text("cli.file_in_the_way", path=paths.reports / "figures") in output, output
    assert len(output.strip().splitlines()) == 1, output


def test_stage_out_of_order_says_what_to_run(paths: ProjectPaths) -> None:
    code, output = run_cli(paths, "train")
    assert code == 1
    assert re.search(says("error.run_first", stage="prepare"), output), output


def test_every_stage_and_run_is_a_command() -> None:
    # Read from typer's own command table, not from the help text, where "train" also
    # appears inside other commands' descriptions.
    commands = set(typer.main.get_group(app).commands)
    assert commands >= {*STAGES, "check", "run", "models", "sample-data", "predict", "use-data"}
    assert [stage.name for stage in pipeline.STAGES] == STAGES


def scientific_libraries_after(
    commands: list[list[str]], watched: set[str] = SCIENTIFIC
) -> list[str]:
    """The `watched` libraries (the scientific ones unless told) a fresh interpreter
    holds after running `commands`."""
    script = f"""
import sys
from typer.testing import CliRunner
from {{ cookiecutter.module_name }}.cli.app import app
runner = CliRunner()
for args in {commands!r}:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
print(" ".join(sorted(name for name in {sorted(watched)!r} if name in sys.modules)))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


{% if cookiecutter.tracking == "mlflow" -%}
def test_help_loads_no_scientific_library() -> None:
    """`--help` answers at once: nothing of the scientific stack is imported on its way
    (each command imports what it runs, when it runs; `models` commands load MLflow)."""
    assert scientific_libraries_after([["--help"], ["models", "--help"], ["train", "--help"]]) == []


def test_models_list_loads_mlflow_but_not_the_model_libraries(paths: ProjectPaths) -> None:
    """Listing versions reads MLflow's tags: MLflow brings numpy and pandas along, but
    scikit-learn, skops and matplotlib load only when a model is."""
    loaded = scientific_libraries_after([["models", "list", "--root", str(paths.root)]])
    assert not {"sklearn", "skops", "matplotlib"} & set(loaded), loaded
{%- else -%}
def test_help_and_models_list_load_no_scientific_library(tmp_path: Path) -> None:
    """`--help` and `models list` answer at once: nothing of the scientific stack is
    imported on their way (each command imports what it runs, when it runs)."""
    commands = [["--help"], ["train", "--help"], ["models", "list", "--root", str(tmp_path)]]
    assert scientific_libraries_after(commands) == []
{%- endif %}


def test_help_is_read_from_the_catalogue_without_the_template_engine() -> None:
    """Help comes from messages/ in the project's language: a plain read of the sentence,
    so `--help` does not load Jinja (the reports' and messages' template engine)."""
    commands = [["--help"], ["train", "--help"], ["models", "--help"]]
    assert scientific_libraries_after(commands, watched={"jinja2"}) == []
    output = runner.invoke(app, ["train", "--help"]).output
    for key in ("help.option.set", "help.option.root"):
        assert " ".join(plain(key).split()[:3]) in " ".join(output.split()), key


def test_python_dash_m_lists_the_commands_and_the_project_description() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.module_name }}", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line}
    assert listed >= {*STAGES, "run", "models"}
    # The help text's description is pyproject.toml's: one source, kept equal here.
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == SUMMARY
