"""Grid chunks as broadcastable blocks, stored payoff arrays and the NPY-record chunk files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline_games as pg
from pipeline_games.sweeps._grid import Grid


@st.composite
def grids_and_ranges(draw):
    lengths = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    grid = Grid(
        tuple(f"x{k}" for k in range(len(lengths))),
        tuple(np.arange(n, dtype=np.float64) + 10.0 * k for k, n in enumerate(lengths)),
    )
    start = draw(st.integers(0, grid.n_points - 1))
    stop = draw(st.integers(start + 1, grid.n_points))
    return grid, start, stop


@settings(max_examples=150)
@given(grids_and_ranges())
def test_block_broadcasts_to_the_flat_chunk(case):
    grid, start, stop = case
    flat = np.stack([axis.ravel() for axis in np.meshgrid(*grid.axes, indexing="ij")], axis=-1)[
        start:stop
    ]
    block = grid.block(start, stop)
    last = grid.shape[-1]
    aligned = start % last == 0 and (stop - start) % last == 0
    assert (block is not None) == aligned
    if block is not None:
        assert list(block) == list(grid.names)
        broadcast = np.broadcast_arrays(*block.values())
        assert sum(array.size for array in block.values()) < len(grid.names) * (stop - start) + 3
        for k, array in enumerate(broadcast):
            np.testing.assert_array_equal(array.ravel(), flat[:, k])


@settings(max_examples=100)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=3), st.integers(1, 5000))
def test_aligned_chunk_size_covers_whole_rows(lengths, limit):
    grid = Grid(tuple(f"x{k}" for k in range(len(lengths))), tuple(map(np.arange, lengths)))
    size = grid.aligned_chunk_size(limit)
    assert 1 <= size <= max(limit, 1)
    if lengths[-1] <= limit:
        # Every chunk of this size is a block (the last chunk ends where the grid does).
        assert size > limit // 2
        for start in range(0, grid.n_points, size):
            assert grid.block(start, min(start + size, grid.n_points)) is not None


@pytest.mark.parametrize("chunk_size", [None, 4, 7, 20, 35, 100])
def test_three_axis_grid_is_identical_for_block_and_flat_chunks(chunk_size):
    over = {"surplus": (50.0, 100.0, 3), "disagreement.seller": (0.0, 20.0, 5), "weight": (0, 1, 4)}
    result = pg.sweep(
        pg.nash, over=over, chunk_size=chunk_size, progress=False, disagreement=(5.0, 0.0)
    )
    mesh = np.meshgrid(*(np.linspace(*spec) for spec in over.values()), indexing="ij")
    problem = pg.BargainingProblem.linear(mesh[0].ravel(), (5.0, mesh[1].ravel()))
    direct = pg.nash(problem, weight=mesh[2].ravel())
    np.testing.assert_array_equal(result["payoff_buyer"], direct.payoffs[:, 0])
    np.testing.assert_array_equal(result["payoff_seller"], direct.payoffs[:, 1])
    np.testing.assert_array_equal(result["agreement"], direct.agreement)
    for name, expected in zip(over, mesh, strict=True):
        np.testing.assert_array_equal(result[name], expected.ravel())


def test_evaluate_stored_on_blocks_equals_evaluate_on_flat_columns():
    target = pg.sweep_target("rubinstein", surplus=1.0, outside_options=(0.0, 0.0))
    discount = np.linspace(0.5, 0.95, 4)[:, None]
    option = np.linspace(0.0, 0.8, 3)[None, :]
    stored = target.evaluate_stored(
        **{"discount.buyer": discount, "outside_options.seller": option}
    )
    flat_discount, flat_option = (a.ravel() for a in np.broadcast_arrays(discount, option))
    columns = target.evaluate(
        **{"discount.buyer": flat_discount, "outside_options.seller": flat_option}
    )
    assert stored["payoffs"].shape == (12, 2)
    np.testing.assert_array_equal(stored["payoffs"][:, 0], columns["payoff_buyer"])
    np.testing.assert_array_equal(stored["payoffs"][:, 1], columns["payoff_seller"])
    np.testing.assert_array_equal(stored["binding"], columns["binding"])
    direct = pg.rubinstein(
        pg.BargainingProblem.linear(1.0),
        discount=(flat_discount, 0.9),
        outside_options=(0.0, flat_option),
    )
    np.testing.assert_array_equal(stored["payoffs"], direct.payoffs)


def test_chunk_file_is_raw_little_endian_values_and_crc32c(tmp_path):
    # Zarr v3 "bytes" + "crc32c" codecs: C-order values, then CRC32C of them (RFC 3720),
    # checked here with an independent bitwise implementation of the CRC.
    over = {"surplus": (10.0, 100.0, 4), "weight": (0.0, 1.0, 5)}
    pg.sweep("nash", over=over, chunk_size=10, out=tmp_path, progress=False)
    metadata = json.loads((tmp_path / "payoff_buyer" / "zarr.json").read_text())
    assert metadata["chunk_grid"]["configuration"]["chunk_shape"] == [2, 5]
    assert metadata["dimension_names"] == ["surplus", "weight"]
    data = (tmp_path / "payoff_buyer" / "c" / "1" / "0").read_bytes()
    assert len(data) == 10 * 8 + 4
    surplus, weight = (
        a.ravel()[10:20]
        for a in np.meshgrid(np.linspace(10, 100, 4), np.linspace(0, 1, 5), indexing="ij")
    )
    np.testing.assert_allclose(np.frombuffer(data[:-4], dtype="<f8"), weight * surplus)
    assert int.from_bytes(data[-4:], "little") == crc32c_reference(data[:-4])
    agreement = (tmp_path / "agreement" / "c" / "1" / "0").read_bytes()
    assert agreement[:-4] == bytes([1] * 10) or set(agreement[:-4]) <= {0, 1}


def crc32c_reference(data: bytes) -> int:
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc32c_reference_matches_the_rfc_check_value():
    assert crc32c_reference(b"123456789") == 0xE3069283


def test_in_memory_payoff_columns_are_views_of_one_array():
    result = pg.sweep("nash", over={"weight": (0.0, 1.0, 7)}, surplus=10.0, progress=False)
    assert set(result.data) == {"payoffs", "agreement"}
    buyer, seller = result["payoff_buyer"], result["payoff_seller"]
    assert np.shares_memory(buyer, result.data["payoffs"])
    np.testing.assert_allclose(buyer + seller, 10.0)
