"""The exact file set a variant renders. Edit this when a variant gains or loses a file."""

from __future__ import annotations

COMMON = {
    ".gitignore",
    ".pre-commit-config.yaml",
    "LICENSE",
    "README.md",
    "data/raw/.gitkeep",
    "docs/01_business_understanding.md",
    "docs/03_data_request.md",
    "noxfile.py",
    "params.yaml",
    "pyproject.toml",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/test_analyze.py",
    "tests/test_bundle.py",
    "tests/test_cli.py",
    "tests/test_config.py",
    "tests/test_evaluate.py",
    "tests/test_model_io.py",
    "tests/test_prepare.py",
    "tests/test_preprocess.py",
    "tests/test_register.py",
    "tests/test_texts.py",
    "tests/test_train.py",
}
PACKAGE_MODULES = {
    "__init__.py",
    "__main__.py",
    "py.typed",
    "cli/__init__.py",
    "cli/app.py",
    "cli/models.py",
    "cli/support.py",
    "core/__init__.py",
    "core/artifacts.py",
    "core/config.py",
    "core/dataset.py",
    "core/errors.py",
    "core/evaluation.py",
    "core/goal.py",
    "core/metrics.py",
    "core/model_io.py",
    "core/models.py",
    "core/paths.py",
    "registry/__init__.py",
    "registry/backend.py",
    "registry/base.py",
    "registry/bundle.py",
    "reports/__init__.py",
    "reports/analysis_report.py",
    "reports/figures.py",
    "reports/markdown.py",
    "reports/test_report.py",
    "reports/texts.py",
    "stages/__init__.py",
    "stages/analyze.py",
    "stages/checks.py",
    "stages/evaluate.py",
    "stages/pipeline.py",
    "stages/prepare.py",
    "stages/preprocess.py",
    "stages/register.py",
    "stages/train.py",
}

# Files that exist only for one value of an option (hooks/post_gen_project.py removes the
# others). Paths under the package are relative to src/<module>/.
BY_OPTION: dict[str, dict[str, set[str]]] = {
    "compute": {
        "local": set(),
        "azureml": {
            "azureml/batch-deployment.yml",
            "azureml/batch-endpoint.yml",
            "azureml/components/evaluate.yml",
            "azureml/components/prepare.yml",
            "azureml/components/register.yml",
            "azureml/components/train.yml",
            "azureml/compute.yml",
            "azureml/conda.yaml",
            "azureml/data.yml",
            "azureml/environment.yml",
            "azureml/jobs/evaluate.yml",
            "azureml/jobs/prepare.yml",
            "azureml/jobs/register.yml",
            "azureml/jobs/train.yml",
            "azureml/online-deployment.yml",
            "azureml/online-endpoint.yml",
            "azureml/pipeline.yml",
            "azureml/sweep.yml",
            "src/azureml_batch.py",
            "src/azureml_online.py",
            "src/{module}/azureml/__init__.py",
            "src/{module}/azureml/local_runner.py",
            "src/{module}/azureml/rollout.py",
            "src/{module}/azureml/scoring.py",
            "src/{module}/azureml/specs.py",
            "src/{module}/cli/azureml.py",
            "tests/test_azureml.py",
            "tests/test_azureml_rollout.py",
        },
    },
    "tracking": {
        "local": {"src/{module}/registry/files.py"},
        "mlflow": {
            "src/{module}/registry/mlflow_backend.py",
            "src/{module}/registry/mlflow_tracking.py",
        },
    },
    "ci": {
        "github": {
            ".github/dependabot.yml",
            ".github/workflows/ci.yml",
            ".github/workflows/deploy.yml",
            ".github/workflows/train.yml",
        },
        "gitlab": {".gitlab-ci.yml", "renovate.json"},
        "azure-devops": {
            ".azure-pipelines/ci.yml",
            ".azure-pipelines/deploy.yml",
            ".azure-pipelines/train.yml",
            ".azure-pipelines/steps/setup.yml",
            "renovate.json",
        },
        "none": set(),
    },
    "notebooks": {
        "yes": {
            "notebooks/01_business_understanding.ipynb",
            "notebooks/02_analyze.ipynb",
            "notebooks/03_prepare.ipynb",
            "notebooks/04_preprocess.ipynb",
            "notebooks/05_train.ipynb",
            "notebooks/06_test.ipynb",
        },
        "no": set(),
    },
    "serving": {
        "fastapi": {
            ".dockerignore",
            "Dockerfile",
            "src/{module}/serving/__init__.py",
            "src/{module}/serving/app.py",
            "src/{module}/serving/page.py",
            "src/{module}/serving/schema.py",
            "src/{module}/serving/smoke.py",
            "tests/browser_form.py",
            "tests/test_service.py",
        },
        "none": set(),
    },
}


def expected_files(answers: dict[str, str]) -> set[str]:
    """Relative paths (POSIX) for the given answers, with the package under src/."""
    module = answers["module_name"]
    files = COMMON | {f"src/{module}/{name}" for name in PACKAGE_MODULES}
    for option, values in BY_OPTION.items():
        files |= {path.format(module=module) for path in values[answers[option]]}
    return files
