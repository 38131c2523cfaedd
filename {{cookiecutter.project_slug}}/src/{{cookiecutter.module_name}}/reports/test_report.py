"""The test report: the model, service and system levels of the workshop's Test stage,
with figures, ending with the business-goal verdict in one sentence."""

from __future__ import annotations

from pathlib import Path

from sklearn.metrics import RocCurveDisplay
from sklearn.pipeline import Pipeline

from ..core.dataset import PreparedData
from ..core.evaluation import MIN_SLICE_ROWS, Evaluation, TestLevels
from ..core.goal import BusinessGoal, GoalVerdict
from .figures import new_figure, save_figure
from .markdown import exercise_section, markdown_table, relative_link
from .texts import figure_text, text

TEST_QUESTIONS = (
    ("role.domain", "ask.test.domain"),
    ("role.product", "ask.test.product"),
    ("role.software", "ask.test.software"),
    ("role.risk", "ask.test.risk"),
)


def plot_figures(model: Pipeline, prepared: PreparedData, figures_dir: Path) -> dict[str, Path]:
    features = prepared.features(prepared.holdout)
    labels = prepared.labels(prepared.holdout)
    target = prepared.schema.target
    figures: dict[str, Path] = {}
    if prepared.schema.task == "regression":
        predicted = model.predict(features)
        actual = labels.to_numpy(dtype=float)
        figure, axes = new_figure(5, 5)
        axes.scatter(actual, predicted, s=10, alpha=0.7)
        low = float(min(actual.min(), predicted.min()))
        high = float(max(actual.max(), predicted.max()))
        axes.plot(
            [low, high],
            [low, high],
            color="grey",
            linestyle="--",
            label=figure_text("plot.perfect"),
        )
        axes.set_xlabel(figure_text("plot.actual", target=target))
        axes.set_ylabel(figure_text("plot.predicted", target=target))
        axes.set_title(figure_text("plot.predicted_vs_actual"))
        axes.legend()
        figures[text("plot.predicted_vs_actual")] = save_figure(
            figure, figures_dir / "predicted_vs_actual.png"
        )
        figure, axes = new_figure()
        axes.scatter(predicted, actual - predicted, s=10, alpha=0.7)
        axes.axhline(0, color="grey", linestyle="--")
        axes.set_xlabel(figure_text("plot.predicted_axis"))
        axes.set_ylabel(figure_text("plot.residual"))
        axes.set_title(figure_text("plot.residuals"))
        figures[text("plot.residuals")] = save_figure(figure, figures_dir / "residuals.png")
    elif len(prepared.schema.classes or []) == 2:
        figure, axes = new_figure(5, 5)
        RocCurveDisplay.from_estimator(model, features, labels, ax=axes)
        axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label=figure_text("plot.chance"))
        axes.set_title(figure_text("plot.roc"))
        figures[text("plot.roc")] = save_figure(figure, figures_dir / "roc_curve.png")
    return figures


def comparison(verdict: GoalVerdict) -> str:
    return text("at_most") if verdict.direction == "minimize" else text("at_least")


def verdict_sentence(verdict: GoalVerdict) -> str:
    return text(
        "verdict.met" if verdict.met else "verdict.missed",
        metric=verdict.metric,
        value=verdict.value,
        comparison=comparison(verdict),
        threshold=verdict.threshold,
        baseline=verdict.baseline_value,
    )


def decision_lines(evaluation: Evaluation, goal: BusinessGoal) -> str:
    decided = text("decision.register" if evaluation.decision.register else "decision.skip")
    if not evaluation.goal.met:
        return decided
    if evaluation.champion is None:
        return f"{decided} {text('decision.first')}"
    key = "decision.beats" if evaluation.decision.register else "decision.does_not_beat"
    reason = text(
        key,
        metric=goal.metric,
        value=evaluation.goal.value,
        incumbent=evaluation.champion[goal.metric],
        version=evaluation.champion_version,
        margin=goal.min_improvement,
    )
    return f"{decided} {reason}"


def conclusion(evaluation: Evaluation) -> str:
    verdict = evaluation.goal
    values = {
        "metric": verdict.metric,
        "value": verdict.value,
        "comparison": comparison(verdict),
        "threshold": verdict.threshold,
    }
    if not verdict.met:
        return text("conclusion.missed", **values)
    outcome = "conclusion.registered" if evaluation.decision.register else "conclusion.kept"
    return text("conclusion.met", decision=text(outcome), **values)


def model_level(
    evaluation: Evaluation, goal: BusinessGoal, prepared: PreparedData, levels: TestLevels
) -> list[str]:
    schema = prepared.schema
    metric_rows = [
        [
            f"**{name}**" if name == goal.metric else name,
            evaluation.cv[name]["mean"],
            evaluation.cv[name]["std"],
            value,
            evaluation.baseline[name],
            *([evaluation.champion[name]] if evaluation.champion else []),
        ]
        for name, value in evaluation.holdout.items()
    ]
    headers = [text("metric"), text("cv_mean"), text("cv_std"), text("holdout"), text("dummy")]
    if evaluation.champion:
        headers.append(text("champion_column", version=evaluation.champion_version))
    lines = [
        f"## {text('test.model_level')}",
        "",
        f"### {text('test.data_checks')}",
        "",
        f"- {text('check.rows', train=len(prepared.train), holdout=len(prepared.holdout))}",
        "- "
        + text("check.features", numeric=len(schema.numeric), categorical=len(schema.categorical)),
        f"- {text('check.dropped', count=schema.dropped_rows_without_target)}",
        "",
        f"### {text('test.metrics')}",
        "",
        markdown_table(headers, metric_rows),
        "",
        text("test.dummy_note"),
    ]
    if levels.slices:
        lines += [
            "",
            f"### {text('test.slices')}",
            "",
            text("test.slices_intro", minimum=MIN_SLICE_ROWS),
            "",
            markdown_table(
                [text("slice"), text("value"), text("rows"), goal.metric],
                [
                    [
                        f"`{item.column}`",
                        item.group,
                        item.rows,
                        "-" if item.value is None else item.value,
                    ]
                    for item in levels.slices
                ],
            ),
        ]
    return lines


def service_level(levels: TestLevels, prepared: PreparedData, recorded: int) -> list[str]:
    details = {
        "input": text("service.input_detail", count=len(prepared.schema.features)),
        "load": text("service.load_detail"),
        "predict": text("service.predict_detail", count=recorded),
        "output": (
            text("service.output_regression")
            if prepared.schema.task == "regression"
            else text("service.output_classification", classes=prepared.schema.classes)
        ),
    }
    return [
        f"## {text('test.service_level')}",
        "",
        text("test.service_intro"),
        "",
        markdown_table(
            [text("step"), text("result"), text("detail")],
            [
                [
                    text(f"service.{check.step}"),
                    text("pass" if check.passed else "fail"),
                    details[check.step],
                ]
                for check in levels.service
            ],
        ),
    ]


def system_level() -> list[str]:
    return [
        f"## {text('test.system_level')}",
        "",
        text("test.system_intro"),
        "",
        *(f"- [ ] {text(key)}" for key in ("system.caller", "system.rollout", "system.monitoring")),
    ]


def render_report(
    evaluation: Evaluation,
    goal: BusinessGoal,
    prepared: PreparedData,
    levels: TestLevels,
    figures: dict[str, Path],
    report_path: Path,
) -> str:
    record = evaluation.record
    sections = [
        f"# {text('test.title')}",
        "",
        text(
            "test.intro",
            model=record["model"],
            sha=record["sha256"][:12],
            trained=record["trained_at"],
            fingerprint=prepared.schema.fingerprint[:12],
        ),
        "",
        f"## {text('test.verdict')}",
        "",
        f"**{text('pass') if evaluation.goal.met else text('fail')}**: "
        + verdict_sentence(evaluation.goal),
        "",
        decision_lines(evaluation, goal),
        "",
        f"### {text('test.gate')}",
        "",
        markdown_table(
            [
                text(key)
                for key in ("metric", "direction", "threshold", "must_beat", "min_improvement")
            ],
            [
                [
                    goal.metric,
                    goal.direction,
                    goal.threshold,
                    goal.must_beat or "-",
                    goal.min_improvement,
                ]
            ],
        ),
        "",
        *model_level(evaluation, goal, prepared, levels),
    ]
    if figures:
        sections += ["", f"### {text('figures')}", ""]
        sections += [
            f"![{title}]({relative_link(path, report_path)})\n" for title, path in figures.items()
        ]
    sections += [
        "",
        *service_level(levels, prepared, len(record["example"]["predictions"])),
        "",
        *system_level(),
        "",
        *exercise_section(TEST_QUESTIONS),
        "",
        f"## {text('test.conclusion')}",
        "",
        conclusion(evaluation),
    ]
    return "\n".join(sections).rstrip() + "\n"
