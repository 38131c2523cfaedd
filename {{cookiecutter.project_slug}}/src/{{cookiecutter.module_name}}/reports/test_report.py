"""The test report: the model, service and system levels of the workshop's Test stage,
with figures, ending with the business-goal verdict in one sentence."""

from __future__ import annotations

from pathlib import Path

from sklearn.metrics import RocCurveDisplay

from ..core.dataset import PreparedData
from ..core.evaluation import (
    IMPORTANCE_REPEATS,
    INTERVAL_LEVEL,
    MIN_SLICE_ROWS,
    Calibration,
    Evaluation,
    TestLevels,
)
from ..core.goal import BusinessGoal
from ..core.metrics import RESAMPLES, Predictions
from ..core.texts import text
from .figures import figure_text, new_figure, plotted_positions, remove_stale, save_figure
from .markdown import Question, figure_links, render_markdown

# Every file plot_figures may write in its folder; a run deletes those it did not.
FIGURE_FILES = ("predicted_vs_actual.png", "residuals.png", "roc_curve.png", "calibration.png")

TEST_QUESTIONS = (
    Question("role.domain", "ask.test.domain"),
    Question("role.product", "ask.test.product"),
    Question("role.software", "ask.test.software"),
    Question("role.risk", "ask.test.risk"),
)


def plot_figures(
    prepared: PreparedData,
    predicted: Predictions,
    figures_dir: Path,
    calibrated: Calibration | None = None,
) -> dict[str, Path]:
    """The holdout rows' answers (`predicted`) against the truth."""
    labels = prepared.labels(prepared.holdout)
    target = prepared.schema.target
    figures: dict[str, Path] = {}
    if prepared.schema.task == "regression":
        points = plotted_positions(len(labels))
        predicted_values = predicted.values[points].astype(float)
        actual = labels.to_numpy(dtype=float)[points]
        figure, axes = new_figure(5, 5)
        axes.scatter(actual, predicted_values, s=10, alpha=0.7)
        low = float(min(actual.min(), predicted_values.min()))
        high = float(max(actual.max(), predicted_values.max()))
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
        axes.scatter(predicted_values, actual - predicted_values, s=10, alpha=0.7)
        axes.axhline(0, color="grey", linestyle="--")
        axes.set_xlabel(figure_text("plot.predicted_axis"))
        axes.set_ylabel(figure_text("plot.residual"))
        axes.set_title(figure_text("plot.residuals"))
        figures[text("plot.residuals")] = save_figure(figure, figures_dir / "residuals.png")
    elif len(predicted.classes) == 2 and predicted.probabilities is not None:
        figure, axes = new_figure(5, 5)
        positive = predicted.classes[-1]
        RocCurveDisplay.from_predictions(
            labels, predicted.probabilities[:, -1], pos_label=positive, ax=axes
        )
        axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label=figure_text("plot.chance"))
        axes.set_title(figure_text("plot.roc"))
        figures[text("plot.roc")] = save_figure(figure, figures_dir / "roc_curve.png")
    if calibrated is not None:
        figures[text("plot.calibration")] = plot_calibration(
            calibrated, figures_dir / "calibration.png"
        )
    remove_stale(figures_dir, FIGURE_FILES, figures)
    return figures


def plot_calibration(calibrated: Calibration, target: Path) -> Path:
    """The reliability diagram: each bin's mean predicted probability against the share
    of its rows that are the positive class, on the diagonal when calibrated."""
    figure, axes = new_figure(5, 5)
    predicted = [item.predicted for item in calibrated.bins]
    observed = [item.observed for item in calibrated.bins]
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label=figure_text("plot.perfect"))
    axes.plot(predicted, observed, marker="o")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    positive = calibrated.positive
    axes.set_xlabel(figure_text("plot.mean_probability", positive=positive))
    axes.set_ylabel(figure_text("plot.observed_share", positive=positive))
    axes.set_title(figure_text("plot.calibration"))
    axes.legend()
    return save_figure(figure, target)


def service_details(prepared: PreparedData, recorded: int) -> dict[str, str]:
    """What each service-level step checked, in a sentence."""
    schema = prepared.schema
    return {
        "input": text("service.input_detail", count=len(schema.features)),
        "load": text("service.load_detail"),
        "predict": text("service.predict_detail", count=recorded),
        "output": (
            text("service.output_regression")
            if schema.task == "regression"
            else text("service.output_classification", classes=schema.classes)
        ),
    }


def evaluation_context(
    evaluation: Evaluation, goal: BusinessGoal, prepared: PreparedData
) -> dict[str, object]:
    """What the test report and the model card both show of an evaluation."""
    return {
        "evaluation": evaluation,
        "record": evaluation.record,
        "goal": goal,
        "schema": prepared.schema,
        "train_rows": len(prepared.train),
        "holdout_rows": len(prepared.holdout),
        "min_slice_rows": MIN_SLICE_ROWS,
        "interval_percent": round(INTERVAL_LEVEL * 100),
    }


def render_report(
    evaluation: Evaluation,
    goal: BusinessGoal,
    prepared: PreparedData,
    levels: TestLevels,
    figures: dict[str, Path],
    report_path: Path,
) -> str:
    """The report's Markdown, laid out by templates/test_report.md.j2."""
    recorded = len(evaluation.record["example"]["predictions"])
    return render_markdown(
        "test_report.md.j2",
        **evaluation_context(evaluation, goal, prepared),
        levels=levels,
        resamples=RESAMPLES,
        importance_repeats=IMPORTANCE_REPEATS,
        figures=figure_links(figures, report_path),
        service_details=service_details(prepared, recorded),
        questions=TEST_QUESTIONS,
    )
