"""MkDocs hooks (mkdocs.yml `hooks:`): what the site adds to docs/.

The documents link the reports as the repository lays them out (`../reports/...`), so
the reports' figures and the model card join the site under reports/ and those links
are rewritten to point there. Each layer of the package gets an API reference page,
rendered by mkdocstrings from its docstrings, in the order the layers stack
([tool.importlinter] in pyproject.toml). The navigation follows the processes: the
documents in file order, each under its number (01 ... 07), then the reports, then the
reference.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

PACKAGE = "{{ cookiecutter.module_name }}"
REPORTS = "reports"
REFERENCE = "reference"
# What the site takes from reports/: the figures and the Markdown (the model card).
REPORT_SUFFIXES = (".png", ".md")


def project_root(config: MkDocsConfig) -> Path:
    return Path(str(config.config_file_path)).parent


def layers(root: Path) -> list[str]:
    """The package's folders, top layer first, as the import contract stacks them."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    contract = pyproject["tool"]["importlinter"]["contracts"][0]
    names = [name.strip() for layer in contract["layers"] for name in layer.split("|")]
    return [name for name in names if (root / "src" / PACKAGE / name).is_dir()]


def reference_page(layer: str) -> str:
    return f"# `{PACKAGE}.{layer}`\n\n::: {PACKAGE}.{layer}\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = project_root(config)
    for path in sorted((root / REPORTS).rglob("*")):
        if path.suffix in REPORT_SUFFIXES:
            relative = path.relative_to(root).as_posix()
            files.append(File(relative, str(root), config.site_dir, config.use_directory_urls))
    reference = []
    for layer in layers(root):
        page = f"{REFERENCE}/{layer}.md"
        files.append(File.generated(config, page, content=reference_page(layer)))
        reference.append(page)
    config.nav = navigation(files, config, reference)
    return files


def navigation(files: Files, config: MkDocsConfig, reference: list[str]) -> list[object]:
    """The documents in file order, then the reports and the reference pages (in layer
    order) in sections titled in the site's language (mkdocs.yml `extra.sections`)."""
    pages = sorted(file.src_uri for file in files.documentation_pages())
    sections = config.extra["sections"]
    documents = [uri for uri in pages if "/" not in uri]
    reports = [uri for uri in pages if uri.startswith(f"{REPORTS}/")]
    docs_dir = Path(config.docs_dir)
    nav: list[object] = [uri for uri in documents if uri == "index.md"]
    nav += [numbered(uri, docs_dir) for uri in documents if uri != "index.md"]
    if reports:
        nav.append({sections["reports"]: reports})
    nav.append({sections["reference"]: reference})
    return nav


def numbered(uri: str, docs_dir: Path) -> object:
    """A process document under its number and title ("02 Analysis report")."""
    number = uri.split("_", 1)[0]
    title = first_heading((docs_dir / uri).read_text(encoding="utf-8"))
    return {f"{number} {title}": uri} if number.isdigit() and title else uri


def first_heading(markdown: str) -> str | None:
    """The page's first level-one heading, after its front matter (whose YAML comments
    also start with "# ")."""
    body = markdown.split("\n---\n", 1)[-1] if markdown.startswith("---\n") else markdown
    return next((line[2:].strip() for line in body.splitlines() if line.startswith("# ")), None)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """A document's `../reports/...` is `reports/...` on the site, beside it."""
    if page.file.src_uri.startswith(f"{REPORTS}/"):
        return markdown
    return markdown.replace("](../reports/", "](reports/")
