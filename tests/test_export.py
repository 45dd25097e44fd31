"""`stepnet export`: the Markdown worked example, and writing it safely."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import SCENARIOS
from hand import sigmoid

from stepnet import cli, scenario
from stepnet.engine.names import Name
from stepnet.export import markdown
from stepnet.files import write_atomically

MAZUR = SCENARIOS / "mazur.toml"


@pytest.fixture(scope="module")
def mazur_md() -> str:
    return markdown(scenario.load(MAZUR))


def test_mazur_markdown_snapshot(mazur_md, snapshot):
    assert mazur_md == snapshot


def test_mazur_numbers_are_the_hand_computed_ones(mazur_md):
    """Mazur's forward and backward pass computed here with floats, as the article does."""
    n = lambda x: f"{x:.9g}"  # noqa: E731 — the 9 significant digits the export writes
    z_h1 = 0.05 * 0.15 + 0.10 * 0.20 + 0.35
    h1, h2 = sigmoid(z_h1), sigmoid(0.05 * 0.25 + 0.10 * 0.30 + 0.35)
    o1 = sigmoid(h1 * 0.40 + h2 * 0.45 + 0.60)
    grad_o1, dact_o1 = o1 - 0.01, o1 * (1 - o1)
    delta_o1 = grad_o1 * dact_o1
    o2 = sigmoid(h1 * 0.50 + h2 * 0.55 + 0.60)
    delta_o2 = (o2 - 0.99) * o2 * (1 - o2)
    grad_w1 = (delta_o1 * 0.40 + delta_o2 * 0.50) * h1 * (1 - h1) * 0.05
    for line in [
        f"a1[0,0] (out_h1) = σ(z1[0,0]) = σ({n(z_h1)}) = {n(h1)}",
        f"delta2[0,0] (δ_o1) = grad_a2[0,0] × σ′(z2[0,0]) = {n(grad_o1)} × {n(dact_o1)} = {n(delta_o1)}",
        f"W1[0,0] (w1) = W1[0,0] − η·grad_W1[0,0] = 0.15 − 0.5 × {n(grad_w1)} = {n(0.15 - 0.5 * grad_w1)}",
    ]:
        assert line in mazur_md.splitlines()
    assert n(delta_o1) == "0.138498562"  # the article's δ_o1


def test_every_operation_has_its_latex_and_every_figure_its_verdict(mazur_md):
    lines = mazur_md.splitlines()
    ops = [line for line in lines if line.startswith("#### ")]
    assert len(ops) == scenario.load(MAZUR).debugger().n_ops == 18
    assert sum(line.startswith("$$") and line.endswith("$$") for line in lines) == 18
    assert r"$$\delta^{(2)} = \frac{\partial J}{\partial a^{(2)}} \odot f'(z^{(2)})$$" in lines
    assert "9 of 9 confirmed." in lines
    assert sum(line.startswith("> ✓") for line in lines) == 8  # the ninth is in iteration 2
    assert any("loss (E_total) @ iteration 2 (not written out above)" in line for line in lines)


def test_a_wrong_figure_is_marked_contradicted(tmp_path):
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(MAZUR.read_text(encoding="utf-8").replace("value = 0.298371109", "value = 0.3"),
                     encoding="utf-8")
    md = markdown(scenario.load(wrong))
    assert "8 of 9 confirmed, 1 contradicted." in md
    assert "> ✗ The source states loss (E_total) @ iteration 1 = 0.3; computed 0.298371109" in md
    assert "**contradicted**" in md


def test_large_quantities_are_summarised_and_cut():
    md = markdown(scenario.load(SCENARIOS / "mnist_shape.toml"))
    assert "32×64 = 2,048 elements; written out below: the first 16 (of the first 2 rows)" in md
    assert "| … | … | … |" in md and "32×784: min 0, max 1," in md
    assert len(md) < 100_000


def test_output_file_equals_stdout_and_is_never_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "mazur.md"
    assert cli.main(["export", str(MAZUR)]) == 0
    printed = capsys.readouterr().out
    assert cli.main(["export", str(MAZUR), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == printed
    out.write_text("the author's edits", encoding="utf-8")
    assert cli.main(["export", str(MAZUR), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"stepnet: {out} already exists; add --force to overwrite it\n"
    assert out.read_text(encoding="utf-8") == "the author's edits"
    assert cli.main(["export", str(MAZUR), "-o", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8") == printed
    assert os.listdir(tmp_path) == ["mazur.md"]


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "mazur.md"
    out.write_text("old", encoding="utf-8")

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    assert cli.main(["export", str(MAZUR), "-o", str(out), "--force"]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["mazur.md"]  # no temporary file left behind


def test_write_atomically_creates_nothing_when_the_text_cannot_be_written(tmp_path):
    with pytest.raises(UnicodeEncodeError):
        write_atomically(tmp_path / "x.md", "a lone surrogate \ud800")
    assert os.listdir(tmp_path) == []
    write_atomically(tmp_path / "x.md", "ok")
    with pytest.raises(FileExistsError):
        write_atomically(tmp_path / "x.md", "again")
    assert (tmp_path / "x.md").read_text(encoding="utf-8") == "ok"


def test_a_long_weighted_sum_writes_out_its_non_zero_terms_and_counts_the_zero_ones():
    """A 784-pixel digit is mostly 0: the terms written out are those with a pixel, and the
    zero ones are counted, not shown as 0×w."""
    from stepnet.engine.network import products
    from stepnet.engine.notation import formatter

    x = np.zeros(784)
    x[[100, 101, 300]] = [0.5, 1.0, 0.25]
    w = np.linspace(0.01, 1, 784)
    f = formatter(4)
    text = products(x, w, f, "a0[0,j]")
    assert text == (f"0.5×{f(w[100])} + 1×{f(w[101])} + 0.25×{f(w[300])}"
                    " + 0 (781 terms where a0[0,j] = 0)")
    assert products(np.zeros(784), w, f, "a0[0,j]") == "0 (784 terms where a0[0,j] = 0)"
    few = products(np.array([0.0, 2.0]), np.array([3.0, -1.0]), f, "x")
    assert few == "0×3 + 2×(-1)"  # a short sum is written out whole


def test_the_dropout_mask_substitutes_keep_and_a_single_term_is_not_repeated():
    d = scenario.load(SCENARIOS / "dropout.toml").debugger()
    d.goto(3)  # the batch, z1, m1
    assert str(d.last_op.output) == "m1"
    m = d.values[Name("m", 1)]
    kept, dropped = np.argwhere(m > 0)[0], np.argwhere(m == 0)[0]
    assert d.explain(tuple(kept)).endswith("= keep[{},{}]/(1 − 0.5) = 1/(1 − 0.5) = 2".format(*kept))
    assert d.explain(tuple(dropped)).endswith("= 0/(1 − 0.5) = 0")
    mazur = scenario.load(MAZUR).debugger()
    mazur.goto([str(op.output) for op in mazur.ops].index("grad_b2") + 1)
    text = mazur.explain((1,))
    assert text.startswith("grad_b2[1] = Σₛ delta2[s,1] = -0.0380982") and text.count("=") == 2
