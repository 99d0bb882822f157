"""Sweep output directories: manifest, checksums, resume, kill-and-resume, executors, CLI."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError

OVER = {"surplus": (10.0, 100.0, 40), "weight": (0.0, 1.0, 25)}  # 1000 points


def assert_same(first, second):
    assert first.names == second.names
    for name in first.names:
        np.testing.assert_array_equal(first[name], second[name])


def test_disk_sweep_manifest_checksums_and_load(tmp_path):
    out = tmp_path / "run"
    result = pg.sweep("nash", over=OVER, chunk_size=300, out=out, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert sorted(manifest["chunks"], key=int) == ["0", "1", "2", "3"]
    for entry in manifest["chunks"].values():
        data = (out / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert sum(entry["rows"] for entry in manifest["chunks"].values()) == 1000
    assert not list(out.glob(".*.tmp"))
    memory = pg.sweep("nash", over=OVER, chunk_size=300, progress=False)
    assert_same(result, memory)
    assert_same(pg.load_sweep(out), memory)


def test_existing_directory_needs_resume_and_same_settings(tmp_path):
    pg.sweep("nash", over=OVER, chunk_size=300, out=tmp_path, progress=False)
    with pytest.raises(InvalidParameterError, match="resume=True"):
        pg.sweep("nash", over=OVER, chunk_size=300, out=tmp_path, progress=False)
    with pytest.raises(InvalidParameterError, match="different"):
        pg.sweep("nash", over=OVER, chunk_size=200, out=tmp_path, resume=True, progress=False)
    with pytest.raises(InvalidParameterError, match="different"):
        pg.sweep(
            "nash",
            over=OVER,
            chunk_size=300,
            out=tmp_path,
            resume=True,
            progress=False,
            disagreement=(1.0, 0.0),
        )


def test_invalid_sweep_writes_nothing_and_fixed_and_swept_is_refused(tmp_path):
    # Bad values fail before a folder or manifest exists, so the corrected run can start.
    with pytest.raises(InvalidParameterError, match="weight must be in"):
        pg.sweep("nash", over={"weight": (0.0, 2.0, 5)}, out=tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()
    pg.sweep("nash", over={"weight": (0.0, 1.0, 5)}, out=tmp_path / "run", progress=False)
    with pytest.raises(InvalidParameterError, match="both fixed"):
        pg.sweep("nash", over={"weight": (0.0, 1.0, 5)}, weight=0.3, progress=False)
    with pytest.raises(InvalidParameterError, match="needs out=DIR"):
        pg.sweep("nash", over={"weight": (0.0, 1.0, 5)}, resume=True, progress=False)


def test_corrupt_and_foreign_chunks_are_detected_and_recomputed(tmp_path):
    out, other = tmp_path / "run", tmp_path / "other"
    pg.sweep("nash", over=OVER, chunk_size=300, out=out, progress=False)
    pg.sweep("nash", over=OVER, chunk_size=300, out=other, progress=False, disagreement=(1, 2))
    corrupt = bytearray((out / "chunk-000001.npys").read_bytes())
    corrupt[len(corrupt) // 2] ^= 0xFF
    (out / "chunk-000001.npys").write_bytes(bytes(corrupt))
    (out / "chunk-000002.npys").write_bytes((other / "chunk-000002.npys").read_bytes())
    (out / "chunk-000003.npys").unlink()
    with pytest.warns(pg.ChunkChecksumWarning, match="3 chunk file"):
        partial = pg.load_sweep(out)
    assert partial.chunks == (0,)
    assert partial.missing_chunks == (1, 2, 3)
    assert len(partial["payoff_buyer"]) == 300
    np.testing.assert_array_equal(partial.points, np.arange(300))
    with pytest.warns(pg.ChunkChecksumWarning):
        resumed = pg.sweep("nash", over=OVER, chunk_size=300, out=out, resume=True, progress=False)
    assert resumed.complete
    assert_same(resumed, pg.sweep("nash", over=OVER, chunk_size=300, progress=False))


def test_reading_a_chunk_checks_its_checksum(tmp_path):
    result = pg.sweep("nash", over=OVER, chunk_size=300, out=tmp_path, progress=False)
    (tmp_path / "chunk-000000.npys").write_bytes(b"not a chunk file")
    with pytest.raises(pg.PipelineGamesError, match="SHA-256"):
        _ = result["payoff_buyer"]


KILL_SCRIPT = """
import sys
import pipeline_games as pg
pg.sweep("rubinstein", over={"discount.0": (0.05, 0.95)}, samples=400_000, method="random",
         seed=7, chunk_size=1000, out=sys.argv[1], progress=False, outside_options=(0.0, 30.0))
"""


def test_killed_sweep_resumes_to_identical_results(tmp_path):
    out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(out)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and len(list(out.glob("chunk-*.npys"))) >= 5:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the sweep finished (or died) before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is False
    assert len(list(out.glob("chunk-*.npys"))) < 400
    settings = {
        "over": {"discount.0": (0.05, 0.95)},
        "samples": 400_000,
        "method": "random",
        "seed": 7,
        "chunk_size": 1000,
        "progress": False,
        "outside_options": (0.0, 30.0),
    }
    resumed = pg.sweep("rubinstein", out=out, resume=True, **settings)
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(map(int, manifest["chunks"])) == list(range(400))
    assert len(list(out.glob("chunk-*.npys"))) == 400
    assert not list(out.glob(".*.tmp"))
    uninterrupted = pg.sweep("rubinstein", **settings)
    assert_same(resumed, uninterrupted)
    assert_same(pg.load_sweep(out), uninterrupted)


def test_process_pool_gives_identical_results(tmp_path):
    over = {"surplus": (1, 2, 50), "discount.1": (0.5, 0.9, 20)}
    serial = pg.sweep("rubinstein", over=over, chunk_size=128, progress=False)
    pooled = pg.sweep(
        "rubinstein",
        over=over,
        chunk_size=128,
        executor="processes",
        workers=2,
        out=tmp_path / "p",
        progress=False,
    )
    assert_same(serial, pooled)


def test_dask_in_process_cluster_gives_identical_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    sample = {"over": {"weight": (0, 1), "surplus": (1, 10)}, "samples": 600, "method": "sobol"}
    serial = pg.sweep("nash", chunk_size=128, progress=False, **sample)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        in_memory = pg.sweep(
            "nash", chunk_size=128, executor="dask", address=client, progress=False, **sample
        )
        on_disk = pg.sweep(
            "nash",
            chunk_size=128,
            executor="dask",
            address=client,
            out=tmp_path / "d",
            progress=False,
            **sample,
        )
    assert_same(serial, in_memory)
    assert_same(serial, on_disk)


def test_dask_local_cluster_of_processes(tmp_path):
    pytest.importorskip("distributed")
    serial = pg.sweep("nash", over=OVER, chunk_size=250, progress=False)
    dasked = pg.sweep(
        "nash",
        over=OVER,
        chunk_size=250,
        executor="dask",
        workers=2,
        out=tmp_path,
        progress=False,
    )
    assert_same(serial, dasked)


def test_console_script_sweep(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "pipeline-games")
    out = tmp_path / "cli"
    completed = subprocess.run(
        [script, "sweep", "nash", "--over", "surplus=0:100:11", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = pg.load_sweep(out)
    np.testing.assert_allclose(loaded["surplus"], np.linspace(0, 100, 11))
    np.testing.assert_allclose(loaded["payoff_buyer"], np.linspace(0, 100, 11) / 2)
    again = subprocess.run(
        [script, "sweep", "nash", "--over", "surplus=0:100:11", "--out", str(out), "--resume"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    bad = subprocess.run(
        [script, "sweep", "nash", "--over", "surplus=0:100", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "lo:hi:n" in bad.stderr


def test_a_case_is_swept_by_name_resumably(tmp_path):
    cases = pytest.importorskip("pipeline_games.cases")
    if not callable(getattr(cases, "list_cases", None)):
        pytest.skip("the case library has no list_cases()")
    name = cases.list_cases()[0]
    name = name if isinstance(name, str) else name.name
    case = cases.load(name)
    in_memory = pg.sweep(case, samples=48, method="sobol", chunk_size=16, progress=False)
    assert set(in_memory.input_names) == set(case.bounds)
    for parameter, (low, high) in case.bounds.items():
        assert low <= in_memory[parameter].min() <= in_memory[parameter].max() <= high
    out = tmp_path / "case"
    pg.sweep(name, samples=48, method="sobol", chunk_size=16, out=out, progress=False)
    (out / "chunk-000001.npys").unlink()
    with pytest.warns(pg.ChunkChecksumWarning):
        resumed = pg.sweep(
            name, samples=48, method="sobol", chunk_size=16, out=out, resume=True, progress=False
        )
    assert_same(resumed, in_memory)
