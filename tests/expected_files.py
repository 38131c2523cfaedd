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
    "analyze.py",
    "artifacts.py",
    "bundle.py",
    "cli.py",
    "cli_support.py",
    "config.py",
    "dataset.py",
    "errors.py",
    "checks.py",
    "evaluate.py",
    "evaluation_report.py",
    "goal.py",
    "metrics.py",
    "model_io.py",
    "models.py",
    "models_cli.py",
    "pipeline.py",
    "prepare.py",
    "preprocess.py",
    "py.typed",
    "register.py",
    "registry.py",
    "report.py",
    "texts.py",
    "train.py",
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
            "src/{module}/azureml_cli.py",
            "src/{module}/azureml_local.py",
            "src/{module}/azureml_rollout.py",
            "src/{module}/azureml_scoring.py",
            "src/{module}/azureml_specs.py",
            "tests/test_azureml.py",
            "tests/test_azureml_rollout.py",
        },
    },
    "tracking": {
        "local": {"src/{module}/file_registry.py"},
        "mlflow": {"src/{module}/mlflow_registry.py", "src/{module}/mlflow_tracking.py"},
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
            "src/{module}/service.py",
            "src/{module}/service_page.py",
            "src/{module}/service_schema.py",
            "src/{module}/service_smoke.py",
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
