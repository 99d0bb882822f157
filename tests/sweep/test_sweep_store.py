"""Sweep stores: Zarr layout, receipts, checksums, resume, repair, lock, executors, workers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError
from pipeline_games.sweeps._store import sweep_lock

OVER = {"surplus": (10.0, 100.0, 40), "weight": (0.0, 1.0, 25)}  # 1000 points, chunks of 12 rows


def assert_same(first, second):
    assert first.names == second.names
    for name in first.names:
        np.testing.assert_array_equal(first[name], second[name])


def chunk_file(out, name, index, chunk_rows=12):
    return out / name / "c" / str(index) / "0"


def test_disk_sweep_is_a_zarr_store_with_receipts(tmp_path):
    out = tmp_path / "run"
    result = pg.sweep("nash", over=OVER, chunk_size=300, out=out, progress=False)
    root = json.loads((out / "zarr.json").read_text())
    manifest = root["attributes"]["pipeline_games"]
    assert manifest["complete"] is True
    assert manifest["layout"]["chunk_shape"] == [12, 25]
    receipts = sorted(int(p.stem) for p in (out / "_pipeline_games" / "chunks").glob("*.json"))
    assert receipts == [0, 1, 2, 3]
    receipt = json.loads((out / "_pipeline_games" / "chunks" / "3.json").read_text())
    assert (receipt["index"], receipt["start"], receipt["stop"]) == (3, 900, 1000)
    assert receipt["sweep"] == manifest["identity"]
    assert not list(out.rglob(".*.tmp"))
    memory = pg.sweep("nash", over=OVER, chunk_size=300, progress=False)
    assert_same(result, memory)
    assert_same(pg.load_sweep(out), memory)
    assert result.computed == (0, 1, 2, 3)


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
    again = pg.sweep("nash", over=OVER, chunk_size=300, out=tmp_path, resume=True, progress=False)
    assert again.complete
    assert again.computed == ()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(InvalidParameterError, match="not empty"):
        pg.sweep("nash", over=OVER, out=tmp_path / "other", progress=False)


def test_invalid_sweep_writes_nothing_and_fixed_and_swept_is_refused(tmp_path):
    # Bad values fail before a folder exists, so the corrected run can start.
    with pytest.raises(InvalidParameterError, match="weight must be in"):
        pg.sweep("nash", over={"weight": (0.0, 2.0, 5)}, out=tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()
    pg.sweep("nash", over={"weight": (0.0, 1.0, 5)}, out=tmp_path / "run", progress=False)
    with pytest.raises(InvalidParameterError, match="both fixed"):
        pg.sweep("nash", over={"weight": (0.0, 1.0, 5)}, weight=0.3, progress=False)
    with pytest.raises(InvalidParameterError, match="needs out=DIR"):
        pg.sweep("nash", over={"weight": (0.0, 1.0, 5)}, resume=True, progress=False)


def test_corrupt_foreign_copied_and_missing_chunks_are_detected_and_recomputed(tmp_path):
    out, other = tmp_path / "run", tmp_path / "other"
    pg.sweep("nash", over=OVER, chunk_size=300, out=out, progress=False)
    pg.sweep("nash", over=OVER, chunk_size=300, out=other, progress=False, disagreement=(1, 2))
    corrupt = bytearray(chunk_file(out, "payoff_buyer", 0).read_bytes())
    corrupt[len(corrupt) // 2] ^= 0xFF
    chunk_file(out, "payoff_buyer", 0).write_bytes(bytes(corrupt))
    # chunk 1: files and receipt of another sweep
    for name in ("payoff_buyer", "payoff_seller", "agreement"):
        shutil.copy(chunk_file(other, name, 1), chunk_file(out, name, 1))
    shutil.copy(
        other / "_pipeline_games" / "chunks" / "1.json",
        out / "_pipeline_games" / "chunks" / "1.json",
    )
    # chunk 2: files and receipt of chunk 3 of this very sweep, put in chunk 2's place
    for name in ("payoff_buyer", "payoff_seller", "agreement"):
        shutil.copy(chunk_file(out, name, 3), chunk_file(out, name, 2))
    receipts = out / "_pipeline_games" / "chunks"
    shutil.copy(receipts / "3.json", receipts / "2.json")
    with pytest.warns(pg.ChunkChecksumWarning, match="3 chunk"):
        partial = pg.load_sweep(out)
    assert partial.chunks == (3,)
    assert partial.missing_chunks == (0, 1, 2)
    np.testing.assert_array_equal(partial.points, np.arange(900, 1000))
    with pytest.warns(pg.ChunkChecksumWarning):
        resumed = pg.sweep("nash", over=OVER, chunk_size=300, out=out, resume=True, progress=False)
    assert resumed.complete
    assert resumed.computed == (0, 1, 2)
    assert_same(resumed, pg.sweep("nash", over=OVER, chunk_size=300, progress=False))


def test_reading_a_chunk_checks_its_checksum(tmp_path):
    result = pg.sweep("nash", over=OVER, chunk_size=300, out=tmp_path, progress=False)
    chunk_file(tmp_path, "payoff_seller", 0).write_bytes(b"not a chunk file")
    with pytest.raises(pg.SweepStoreError, match="chunk 0"):
        _ = result["payoff_buyer"]


def test_malformed_receipts_and_directories_are_named_errors(tmp_path):
    pg.sweep("nash", over=OVER, chunk_size=300, out=tmp_path, progress=False)
    receipts = tmp_path / "_pipeline_games" / "chunks"
    receipt = json.loads((receipts / "0.json").read_text())
    del receipt["crc32c"]
    (receipts / "0.json").write_text(json.dumps(receipt))
    (receipts / "999.json").write_text((receipts / "1.json").read_text())
    (receipts / "2.json").write_text("{truncated")
    path = chunk_file(tmp_path, "agreement", 3)
    path.unlink()
    path.mkdir()
    with pytest.warns(pg.ChunkChecksumWarning) as caught:
        loaded = pg.load_sweep(tmp_path)
    message = str(caught[0].message)
    assert "no checksum" in message
    assert "999" in message
    assert "directory" in message
    assert loaded.chunks == (1,)
    stale = pg.SweepResult(**{**loaded.__dict__, "chunks": (0,)})
    with pytest.raises(pg.SweepStoreError, match="checksum"):
        _ = stale["payoff_buyer"]
    with (
        pytest.warns(pg.ChunkChecksumWarning),
        pytest.raises(pg.SweepStoreError, match="directory is in the way"),
    ):
        pg.sweep("nash", over=OVER, chunk_size=300, out=tmp_path, resume=True, progress=False)
    path.rmdir()  # the invalid receipts were dropped by the first resume
    resumed = pg.sweep("nash", over=OVER, chunk_size=300, out=tmp_path, resume=True, progress=False)
    assert resumed.complete
    assert not (receipts / "999.json").exists()


def test_lost_or_truncated_metadata_is_rebuilt(tmp_path):
    settings = {"over": OVER, "chunk_size": 300, "progress": False}
    expected = pg.sweep("nash", **settings)
    pg.sweep("nash", out=tmp_path, **settings)
    (tmp_path / "zarr.json").write_text('{"zarr_format": 3, "node_ty')
    with pytest.warns(pg.SweepRepairWarning):
        assert_same(pg.load_sweep(tmp_path), expected)
    repaired = pg.repair_sweep(tmp_path)
    assert repaired.complete
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(pg.load_sweep(tmp_path), expected)
    # Both copies of the settings lost: resuming with the settings keeps every chunk.
    (tmp_path / "zarr.json").unlink()
    (tmp_path / "_pipeline_games" / "spec.json").unlink()
    with pytest.raises(pg.SweepStoreError, match="repair"):
        pg.load_sweep(tmp_path)
    with pytest.warns(pg.SweepRepairWarning, match="keeping 4 verified"):
        resumed = pg.sweep("nash", out=tmp_path, resume=True, **settings)
    assert resumed.computed == ()
    assert_same(pg.load_sweep(tmp_path), expected)


def test_a_second_writer_is_refused_with_the_holder_named(tmp_path):
    with sweep_lock(tmp_path), pytest.raises(pg.SweepLockedError, match=f"pid {os.getpid()}"):
        pg.sweep("nash", over=OVER, out=tmp_path, progress=False)
    pg.sweep("nash", over=OVER, out=tmp_path, progress=False)  # free again


RACE = """
import multiprocessing as mp, sys, json
import pipeline_games as pg

def run(barrier, out, surplus, queue):
    barrier.wait()
    try:
        result = pg.sweep("nash", over={"weight": (0, 1, 4000)}, chunk_size=100, out=out,
                          progress=False, surplus=surplus)
        queue.put((surplus, "ok", result.complete))
    except pg.PipelineGamesError as error:
        queue.put((surplus, type(error).__name__, False))

if __name__ == "__main__":
    context = mp.get_context("fork")
    outcomes = []
    for trial in range(int(sys.argv[2])):
        out = f"{sys.argv[1]}/trial{trial}"
        barrier, queue = context.Barrier(2), context.Queue()
        workers = [context.Process(target=run, args=(barrier, out, s, queue)) for s in (1.0, 2.0)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        outcomes.append([queue.get(timeout=5) for _ in workers])
    print(json.dumps(outcomes))
"""


def test_two_sweeps_started_together_never_both_succeed(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-c", RACE, str(tmp_path), "20"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    outcomes = json.loads(completed.stdout)
    for trial, pair in enumerate(outcomes):
        winners = [surplus for surplus, status, complete in pair if status == "ok"]
        assert len(winners) == 1, pair  # exactly one writer; the other gets a named error
        assert all(
            status in ("ok", "SweepLockedError", "InvalidParameterError") for _, status, _ in pair
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no chunk lost or corrupt
            loaded = pg.load_sweep(tmp_path / f"trial{trial}")
        assert loaded.complete
        np.testing.assert_allclose(
            loaded["payoff_buyer"], winners[0] * np.linspace(0, 1, 4000), rtol=1e-15
        )


KILL_SCRIPT = """
import sys
import pipeline_games as pg
pg.sweep("rubinstein", over={"discount.buyer": (0.05, 0.95)}, samples=400_000, method="random",
         seed=7, chunk_size=1000, out=sys.argv[1], progress=False, outside_options=(0.0, 30.0))
"""


def test_killed_sweep_resumes_to_identical_results(tmp_path):
    out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(out)])
    receipts = out / "_pipeline_games" / "chunks"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if receipts.exists() and len(list(receipts.glob("*.json"))) >= 5:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the sweep finished (or died) before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    manifest = json.loads((out / "zarr.json").read_text())["attributes"]["pipeline_games"]
    assert manifest["complete"] is False
    assert len(list(receipts.glob("*.json"))) < 400
    settings = {
        "over": {"discount.buyer": (0.05, 0.95)},
        "samples": 400_000,
        "method": "random",
        "seed": 7,
        "chunk_size": 1000,
        "progress": False,
        "outside_options": (0.0, 30.0),
    }
    resumed = pg.sweep("rubinstein", out=out, resume=True, **settings)
    assert len(list(receipts.glob("*.json"))) == 400
    assert 0 < len(resumed.computed) < 400
    assert not list(out.rglob(".*.tmp"))
    uninterrupted = pg.sweep("rubinstein", **settings)
    assert_same(resumed, uninterrupted)
    assert_same(pg.load_sweep(out), uninterrupted)


PLAIN_READER = """
import sys
import numpy as np
import xarray as xr
import zarr

grid, sample, partial, target = sys.argv[1:5]
arrays = {}
dataset = xr.open_zarr(grid)
for name in ("payoff_buyer", "payoff_seller", "agreement"):
    arrays["grid_" + name] = dataset[name].values.ravel()
arrays["grid_surplus"] = np.broadcast_to(dataset["surplus"].values[:, None], (40, 25)).ravel()
arrays["grid_dims"] = np.array(dataset["payoff_buyer"].dims)
points = xr.open_zarr(sample)
for name in ("weight", "surplus", "payoff_seller"):
    arrays["sample_" + name] = points[name].values
arrays["partial_payoff_buyer"] = zarr.open_group(partial, mode="r")["payoff_buyer"][...].ravel()
assert "pipeline_games" not in sys.modules
np.savez(target, **arrays)
"""


def test_plain_xarray_and_zarr_read_finished_and_partial_stores(tmp_path):
    pytest.importorskip("zarr")
    pytest.importorskip("xarray")
    grid, sample, partial = tmp_path / "grid", tmp_path / "sample", tmp_path / "partial"
    pg.sweep("nash", over=OVER, chunk_size=300, out=grid, progress=False)
    sampled = {"over": {"weight": (0, 1), "surplus": (1, 10)}, "samples": 300, "method": "sobol"}
    pg.sweep("nash", chunk_size=128, out=sample, progress=False, **sampled)
    shutil.copytree(grid, partial)
    for name in ("payoff_buyer", "payoff_seller", "agreement"):
        chunk_file(partial, name, 1).unlink()
    (partial / "_pipeline_games" / "chunks" / "1.json").unlink()
    target = tmp_path / "plain.npz"
    subprocess.run(
        [sys.executable, "-c", PLAIN_READER, str(grid), str(sample), str(partial), str(target)],
        check=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error::UserWarning"},
    )
    plain = np.load(target)
    loaded = pg.load_sweep(grid)
    assert list(plain["grid_dims"]) == ["surplus", "weight"]
    for name in ("payoff_buyer", "payoff_seller", "agreement", "surplus"):
        np.testing.assert_array_equal(plain["grid_" + name], loaded[name])
    loaded_sample = pg.load_sweep(sample)
    for name in ("weight", "surplus", "payoff_seller"):
        np.testing.assert_array_equal(plain["sample_" + name], loaded_sample[name])
    loaded_partial = pg.load_sweep(partial)
    assert loaded_partial.missing_chunks == (1,)
    values = plain["partial_payoff_buyer"]
    np.testing.assert_array_equal(values[loaded_partial.points], loaded_partial["payoff_buyer"])
    assert np.isnan(values[300:600]).all()
    assert not np.isnan(np.delete(values, range(300, 600))).any()


def test_process_pool_gives_identical_results(tmp_path):
    over = {"surplus": (1, 2, 50), "discount.seller": (0.5, 0.9, 20)}
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


DRIVER = """
import pipeline_games as pg, sys
pg.sweep("nash", over={"surplus": (1, 2, 4000), "weight": (0, 1, 500)}, chunk_size=500,
         frontier="power", executor="processes", workers=2, out=sys.argv[1], progress=False)
"""


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to list the workers")
def test_workers_die_with_a_killed_driver(tmp_path):
    out = tmp_path / "driver"
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(out)])
    receipts = out / "_pipeline_games" / "chunks"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and driver.poll() is None:
        if receipts.exists() and any(receipts.glob("*.json")):
            break
        time.sleep(0.05)
    workers = [pid for pid in _children(driver.pid) if _alive(pid)]
    assert driver.poll() is None, "the driver ended before it could be killed"
    assert len(workers) >= 2
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(map(_alive, workers)):
        time.sleep(0.05)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:  # do not leave them behind if the test fails
        os.kill(pid, signal.SIGKILL)
    assert not survivors


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


def test_grid_sizes_are_exact_and_what_cannot_fit_is_refused(tmp_path):
    axis = np.arange(65536.0)
    over = dict.fromkeys(("surplus", "weight", "disagreement.buyer", "rate"), axis)
    with pytest.raises(InvalidParameterError, match="18446744073709551616 points"):
        pg.sweep("nash", over=over, out=tmp_path / "huge", progress=False)
    assert not (tmp_path / "huge").exists()
    big = {"surplus": (1.0, 2.0, 100_000), "weight": (0.0, 1.0, 100_000)}  # 10**10 points
    with pytest.raises(InvalidParameterError, match=r"10000000000 points needs .* out=DIR"):
        pg.sweep("nash", over=big, progress=False)
    with pytest.raises(InvalidParameterError, match="10000000000 points needs"):
        pg.sweep("nash", over={"weight": (0, 1)}, samples=10**10, method="random", progress=False)
    with pytest.raises(InvalidParameterError, match="Sobol analysis"):
        pg.sobol_indices("nash", over={"weight": (0, 1)}, samples=10**10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"over": {"weight": (0, 1, 3)}, "seed": -1}, "seed"),
        ({"over": {"weight": (0, 1, 3)}, "seed": 1.5}, "seed"),
        ({"over": {"weight": (0, 1, 3)}, "seed": "1"}, "seed"),
        ({"over": {"weight": (0, 1, 3)}, "seed": True}, "seed"),
        ({"over": {"weight": (0, float("nan"), 3)}}, "high end of weight"),
        ({"over": {"weight": ("0", 1, 3)}}, "low end of weight"),
        ({"over": {"weight": (0, 1, "3")}}, "number of points"),
        ({"over": {"weight": [0.1, "a"]}}, "values of weight"),
        ({"over": {"weight": [True, False]}}, "values of weight"),
        ({"over": {"weight": (0, 1)}, "samples": 8, "method": "lhs", "seed": -3}, "seed"),
        ({"over": {"weight": (float("nan"), 1)}, "samples": 8, "method": "lhs"}, "low end"),
        ({"over": {"weight": (0, 1, 3)}, "surplus": "100"}, "surplus"),
        ({"over": {"weight": (0, 1, 3)}, "surplus": float("nan")}, "surplus"),
        ({"over": {"weight": (0, 1, 3)}, "surplus": True}, "surplus"),
        ({"over": {"weight": (0, 1, 3)}, "disagreement": "ab"}, "disagreement"),
        ({"over": {"weight": (0, 1, 3)}, "players": ("a", "a")}, "players"),
        ({"over": {"weight": (0, 1, 3)}, "progress": "yes"}, "progress"),
        ({"over": [("weight", (0, 1, 3))]}, "over must be a mapping"),
        ({"over": {"weight": (0, 1, 3)}, "workers": 0}, "workers"),
    ],
)
def test_bad_inputs_are_named_errors(kwargs, message):
    kwargs = {"progress": False, **kwargs}
    with pytest.raises(pg.PipelineGamesError, match=message):
        pg.sweep("nash", **kwargs)


@pytest.fixture
def case_file(tmp_path):
    """A synthetic case file (tests/_support/casefiles.py), independent of the shipped cases."""
    from _support.casefiles import gas_case, write_case

    return str(write_case(tmp_path, gas_case()))


def test_case_sweeps_take_fixed_values_and_vary_only_what_can_vary(tmp_path, case_file):
    case = pg.cases.load(case_file)
    fixed_in_file = [name for name, p in case.parameters.items() if p.low == p.high]
    assert fixed_in_file  # the synthetic case has some
    settings = {"samples": 32, "method": "sobol", "chunk_size": 16, "progress": False}
    result = pg.sweep(case_file, **settings, buyer_value=320.0)
    assert "buyer_value" not in result.input_names
    assert not set(fixed_in_file) & set(result.input_names)
    inputs = {name: result[name] for name in result.input_names}
    pinned = case.evaluate(buyer_value=320.0, **inputs)
    column = "buyer_payoff@2012"
    np.testing.assert_array_equal(result[column], pinned[column])
    base = case.evaluate(**inputs)
    assert not np.array_equal(result[column], base[column])  # the fixed value is used
    out = tmp_path / "case"
    pg.sweep(case_file, **settings, out=out, buyer_value=320.0)
    (out / "_pipeline_games" / "chunks" / "1.json").unlink()  # chunk 1 not done
    resumed = pg.sweep(case_file, **settings, out=out, resume=True, buyer_value=320.0)
    assert resumed.computed == (1,)
    assert_same(resumed, result)
    with pytest.raises(InvalidParameterError, match="different"):
        pg.sweep(case_file, **settings, out=out, resume=True, buyer_value=330.0)
    with pytest.raises(InvalidParameterError, match="no such parameter"):
        pg.sweep(case_file, samples=4, method="sobol", progress=False, nope=1.0)


def test_overridden_parameter_warns_naming_the_epochs(case_file):
    with pytest.warns(pg.OverriddenParameterWarning, match=r"2012 \(by buyer_alt_volume_2012"):
        result = pg.sweep(case_file, over={"buyer_alt_volume": (0.0, 5.0, 3)}, progress=False)
    case = pg.cases.load(case_file)
    moved = case.evaluate(buyer_alt_volume=result["buyer_alt_volume"])
    assert np.ptp(moved["buyer_payoff@2012"]) == 0  # what the warning says


def test_sensitivity_of_a_case_uses_the_parameters_that_vary(case_file):
    pytest.importorskip("SALib")
    case = pg.cases.load(case_file)
    indices = pg.sobol_indices(case, samples=64, output="buyer_payoff@2012")
    assert all(case.parameters[name].low < case.parameters[name].high for name in indices.names)
    assert np.isfinite(indices.first).all()
    swing = pg.tornado(case, output="buyer_payoff@2012", buyer_value=320.0)
    assert "buyer_value" not in swing.names
    assert swing.base_output == pytest.approx(
        float(case.evaluate(buyer_value=320.0)["buyer_payoff@2012"])
    )


def cli(*args):
    script = os.path.join(os.path.dirname(sys.executable), "pipeline-games")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "pipeline_games.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=False)


def test_console_script_sweep_resume_export_and_repair(tmp_path, case_file):
    out = tmp_path / "cli"
    first = cli("sweep", "nash", "--over", "surplus=0:100:11", "--out", str(out), "--format", "csv")
    assert first.returncode == 0, first.stderr
    assert "computed 11 points in 1 chunk(s)" in first.stdout
    import pandas as pd

    table = pd.read_csv(str(out) + ".csv")
    np.testing.assert_allclose(table["payoff_buyer"], np.linspace(0, 100, 11) / 2)
    assert "share_seller" in table.columns
    again = cli("sweep", "nash", "--over", "surplus=0:100:11", "--out", str(out), "--resume")
    assert again.returncode == 0, again.stderr
    assert "nothing to compute" in again.stdout
    (out / "zarr.json").write_text("{")
    repaired = cli("sweep", "--repair", "--out", str(out))
    assert repaired.returncode == 0, repaired.stderr
    assert "1 of 1 chunk(s) verified" in repaired.stdout
    np.testing.assert_allclose(pg.load_sweep(out)["surplus"], np.linspace(0, 100, 11))
    case = cli(
        "sweep",
        case_file,
        "--set",
        "buyer_value=320",
        "--samples",
        "16",
        "--out",
        str(tmp_path / "case"),
        "--format",
        "parquet",
    )
    assert case.returncode == 0, case.stderr
    assert pd.read_parquet(str(tmp_path / "case") + ".parquet").shape[0] == 16


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "nash", "--over", "surplus=0:100", "--out", "{tmp}/a"],
        ["sweep", "nash", "--over", "surplus=0:nan:3", "--out", "{tmp}/b"],
        ["sweep", "nash", "--over", "surplus=0:100:3", "--seed", "-1", "--out", "{tmp}/c"],
        [
            "sweep",
            "rubinstein",
            "--over",
            "surplus=1:2:3",
            "--set",
            "horizon=nan",
            "--out",
            "{tmp}/d",
        ],
        [
            "sweep",
            "rubinstein",
            "--over",
            "surplus=1:2:3",
            "--set",
            "first_mover=1e400",
            "--out",
            "{tmp}/e",
        ],
        [
            "sweep",
            "nash",
            "--samples",
            "1e10",
            "--over",
            "weight=0:1",
            "--out",
            "{tmp}/f",
            "--chunk-size",
            "0",
        ],
        [
            "sweep",
            "china-russia-gas",
            "--set",
            "china_value=abc",
            "--samples",
            "4",
            "--out",
            "{tmp}/g",
        ],
        ["sweep", "--repair", "--out", "{tmp}/nothing"],
        ["sensitivity", "nash", "--over", "weight=0:1", "--plot", "{tmp}/x.qqq"],
        ["sensitivity", "nash", "--method", "sobol", "--samples", "1e10", "--over", "weight=0:1"],
        ["sensitivity", "nash", "--over", "weight=0:1", "--column", "nope"],
    ],
)
def test_cli_user_errors_never_print_a_traceback(tmp_path, args):
    completed = cli(*(arg.replace("{tmp}", str(tmp_path)) for arg in args))
    assert completed.returncode == 2, completed.stdout
    assert "Traceback" not in completed.stderr
    assert "error" in completed.stderr


def test_cli_json_is_strict_and_sobol_table_has_intervals():
    pytest.importorskip("SALib")
    completed = cli(
        "sensitivity",
        "nash",
        "--method",
        "sobol",
        "--samples",
        "64",
        "--over",
        "weight=0:1",
        "--over",
        "disagreement.seller=0:1",
        "--json",
    )
    assert completed.returncode == 0, completed.stderr
    parsed = json.loads(completed.stdout, parse_constant=lambda name: pytest.fail(name))
    assert {"first_order_ci95", "total_ci95"} <= set(parsed["rows"][0])
    # A zero-variance output gives NaN indices: printed as null, not NaN.
    flat = cli(
        "sensitivity",
        "nash",
        "--method",
        "sobol",
        "--samples",
        "16",
        "--over",
        "disagreement.seller=0:1",
        "--column",
        "agreement",
        "--json",
    )
    assert flat.returncode == 0, flat.stderr
    assert "NaN" not in flat.stdout
    table = cli(
        "sensitivity", "nash", "--method", "sobol", "--samples", "64", "--over", "weight=0:1"
    )
    assert "first_order_ci95" in table.stdout


@pytest.mark.parametrize("bad", ["a\0b", "FILE/inside-a-file"])
def test_an_out_folder_that_cannot_be_created_is_a_named_error(tmp_path, capsys, bad):
    from pipeline_games.cli import main
    from pipeline_games.sweeps import SweepStoreError

    (tmp_path / "FILE").write_text("not a folder")
    out = bad if "\0" in bad else str(tmp_path / bad)
    shown = repr(out)
    with pytest.raises(SweepStoreError, match=r"sweep folder \(out\)") as caught:
        pg.sweep("nash", over={"weight": [0.0, 1.0]}, surplus=10.0, out=out, progress=False)
    assert shown in str(caught.value)
    argv = ["sweep", "nash", "--over", "weight=0:1:3", "--set", "surplus=10", "--out", out]
    assert main([*argv, "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "sweep folder (out)" in error
    assert shown in error
    assert "Traceback" not in error
