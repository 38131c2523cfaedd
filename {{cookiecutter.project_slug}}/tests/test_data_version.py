"""The DVC version of the source a model was trained on, as its lineage records it: the
file's MD5 and the DVC file recording it (`dvc add`, a tracked folder, a stage's output
in dvc.lock), and whether the source still is that version."""

from __future__ import annotations

import json
import re
import sys

import pytest
import yaml

from {{ cookiecutter.module_name }}.core.data_version import data_version, file_md5
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.base import champion_version, get_version
from {{ cookiecutter.module_name }}.stages.pipeline import run_all

from .conftest import write_patients_csv
from .messages import says
from .test_cli import run_cli
from .test_dvc import command, dvc

SOURCE = "data/raw/patients.csv"


@pytest.fixture
def repository(paths: ProjectPaths) -> ProjectPaths:
    """The project in a git repository with DVC set up, its own data not yet tracked."""
    write_patients_csv(paths.root / SOURCE)
    command(paths.root, "git", "init", "--quiet")
    dvc(paths.root, "init", "--quiet")
    return paths


def test_a_file_dvc_add_tracks_is_named_by_its_md5(repository: ProjectPaths) -> None:
    root = repository.root
    untracked = data_version(root, SOURCE)
    assert untracked is not None
    assert untracked["dvc_file"] is None
    assert untracked["current"] is None  # no version DVC keeps to compare with
    dvc(root, "add", SOURCE)
    recorded = yaml.safe_load((root / f"{SOURCE}.dvc").read_text())["outs"][0]["md5"]
    assert data_version(root, SOURCE) == {
        "md5": recorded,
        "dvc_file": f"{SOURCE}.dvc",
        "recorded_md5": recorded,
        "current": True,
    }
    with (root / SOURCE).open("a") as table:  # edited after `dvc add`
        table.write("999,2024-01-01,50,30,no,north,100\n")
    edited = data_version(root, SOURCE)
    assert edited is not None
    assert (edited["current"], edited["recorded_md5"]) == (False, recorded)
    assert edited["md5"] == file_md5(root / SOURCE) != recorded


def test_a_file_in_a_tracked_folder_is_found_in_its_listing(repository: ProjectPaths) -> None:
    root = repository.root
    dvc(root, "add", "data/raw")
    version = data_version(root, SOURCE)
    assert version is not None
    assert (version["dvc_file"], version["current"]) == ("data/raw.dvc", True)
    assert version["recorded_md5"] == file_md5(root / SOURCE)


def test_a_file_dvc_links_to_its_cache_is_still_tracked(repository: ProjectPaths) -> None:
    """With DVC's symlink cache the source is a link into .dvc/cache: its own place is
    what DVC tracks, and what use-data writes into params.yaml."""
    root = repository.root
    dvc(root, "config", "cache.type", "symlink")
    dvc(root, "add", SOURCE)
    assert (root / SOURCE).is_symlink()
    version = data_version(root, SOURCE)
    assert version is not None
    assert (version["dvc_file"], version["current"]) == (f"{SOURCE}.dvc", True)
    code, output = run_cli(repository, "use-data", str(root / SOURCE), "--target", "outcome")
    assert code == 0, output
    assert yaml.safe_load(repository.params.read_text())["data"]["source"] == SOURCE


def test_a_stage_output_is_found_in_dvc_lock(repository: ProjectPaths) -> None:
    root = repository.root
    copy = "data/raw/copied.csv"
    copying = f"{sys.executable} -c \"import shutil; shutil.copy('{SOURCE}', '{copy}')\""
    dvc(root, "stage", "add", "--name", "copy", "--deps", SOURCE, "--outs", copy, copying)
    dvc(root, "repro")
    version = data_version(root, copy)
    assert version is not None
    assert (version["dvc_file"], version["current"]) == ("dvc.lock", True)


def test_a_file_outside_the_project_has_no_dvc_file(
    repository: ProjectPaths, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A cluster job's input, mounted outside the project, given as an absolute path."""
    mounted = write_patients_csv(tmp_path_factory.mktemp("mount") / "patients.csv")
    version = data_version(repository.root, str(mounted))
    assert version is not None
    assert (version["md5"], version["dvc_file"]) == (file_md5(mounted), None)


def test_bundled_data_and_unreadable_dvc_files(repository: ProjectPaths) -> None:
    root = repository.root
    assert data_version(root, "sklearn:diabetes") is None
    (root / "dvc.lock").write_text("stages: [a list, not stages]\n")
    with pytest.raises(PipelineError, match=r"dvc\.lock"):
        data_version(root, SOURCE)
    (root / f"{SOURCE}.dvc").write_text("outs: [unclosed\n")
    with pytest.raises(PipelineError, match=r"patients\.csv\.dvc"):
        data_version(root, SOURCE)
    (root / f"{SOURCE}.dvc").write_text("outs: just text\n")
    with pytest.raises(PipelineError, match=r"patients\.csv\.dvc"):
        data_version(root, SOURCE)


def test_the_registered_version_records_the_data_version(repository: ProjectPaths) -> None:
    paths = repository
    dvc(paths.root, "add", SOURCE)
    params = yaml.safe_load(paths.params.read_text())
    params["data"].update(source=SOURCE, target="outcome")
    paths.params.write_text(yaml.safe_dump(params))
    for _ in run_all(paths):
        pass
    registry = open_registry(paths)
    version = champion_version(registry)
    assert version is not None, json.loads((paths.reports / "metrics.json").read_text())
    lineage = get_version(registry, version).lineage
    assert lineage["data_version"]["dvc_file"] == f"{SOURCE}.dvc"
    assert lineage["data_version"]["md5"] == file_md5(paths.root / SOURCE)
    assert lineage["data_version"]["current"] is True


def test_use_data_asks_for_dvc_add_until_the_file_is_tracked(repository: ProjectPaths) -> None:
    hint = says("cli.use_data.dvc_add", source=SOURCE)
    adopting = ("use-data", str(repository.root / SOURCE), "--target", "outcome")
    code, output = run_cli(repository, *adopting)
    assert code == 0, output
    assert re.search(hint, output), output
    dvc(repository.root, "add", SOURCE)
    code, output = run_cli(repository, *adopting)
    assert code == 0, output
    assert not re.search(hint, output), output
