"""docs/tutorial.ipynb runs from top to bottom (issue 16): executed here with nbclient in
a fresh kernel of this interpreter (jupyter_client runs the kernel spec's "python" as
sys.executable), so the notebook cannot rot. About a minute on 2 cores."""

import os
import re
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"

if os.environ.get("CI") != "true":
    pytest.importorskip("nbclient", reason="nbclient is missing (the dev extra installs it)")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402


@pytest.mark.slow
def test_the_tutorial_runs(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    src = str(Path(__file__).resolve().parents[1] / "src")
    env_path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
    monkeypatch.setenv("PYTHONPATH", env_path)  # the kernel, a child process, imports this checkout's package
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    text = "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    report = re.search(r"(\S+report\.html)", text)
    assert report and Path(report.group(1)).is_file()
    assert "spearman" in text and "door_to_door" in text
