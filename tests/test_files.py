"""Where stepnet writes: only ever a regular file, in place of nothing or (with --force) of a
regular file, whose permissions it keeps; never a link, a pipe, a device or a folder's name."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

import pytest

from stepnet import cli, traces
from stepnet import scenario as scenario_file
from stepnet.bundled import DIRECTORY
from stepnet.engine.comparison import Tolerance
from stepnet.errors import ScenarioError
from stepnet.files import TooLarge, Unwritable, read_at_most, write_atomically
from stepnet.limits import Limits

MAZUR = DIRECTORY / "mazur.toml"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def export_refused(capsys: pytest.CaptureFixture[str], out: str, *fragments: str) -> None:
    """`export -o out --force` exits 2 with one line holding `fragments`, and prints nothing."""
    assert cli.main(["export", str(MAZUR), "-o", out, "--force"]) == 2
    printed, err = capsys.readouterr()
    assert printed == "" and len(err.splitlines()) == 1 and "Traceback" not in err
    assert all(f in err for f in fragments), err


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_is_not_replaced_even_with_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "theirs.md").write_text("theirs")
    link = tmp_path / "out.md"
    link.symlink_to(tmp_path / "theirs.md")
    export_refused(capsys, str(link), "is not a regular file", "stepnet writes only regular files")
    assert link.is_symlink() and (tmp_path / "theirs.md").read_text() == "theirs"
    assert sorted(os.listdir(tmp_path)) == ["out.md", "theirs.md"]  # no temporary file left


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_not_replaced_nor_written_into(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "out.md"
    os.mkfifo(fifo)
    export_refused(capsys, str(fifo), "is not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not ROOT, reason="making a device node needs root, who could replace /dev/null")
def test_a_device_node_is_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's numbers, in a folder of the test's
    export_refused(capsys, str(null), "is not a regular file")
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_folder_s_name_and_an_empty_name_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o newdir/` wrote a file named newdir; `-o ''` wrote to stdout."""
    monkeypatch.chdir(tmp_path)
    export_refused(capsys, "newdir/", "cannot write newdir/: it ends in /, as a folder's name does")
    export_refused(capsys, "", "cannot write to an empty name")
    (tmp_path / "folder").mkdir()
    export_refused(capsys, "folder", "is not a regular file")
    assert os.listdir(tmp_path) == ["folder"] and os.listdir(tmp_path / "folder") == []


def test_a_missing_folder_is_refused_before_the_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistyped folder was refused only once the export was made (an iteration of digits
    takes seconds): now before, as a file in a folder's place is."""
    monkeypatch.chdir(tmp_path)
    made: list[object] = []
    monkeypatch.setattr("stepnet.export.export", lambda *args, **kwargs: made.append(args) or "")
    export_refused(capsys, "missing/out.md", "cannot write missing/out.md: missing does not exist")
    (tmp_path / "afile").write_text("mine")
    export_refused(capsys, "afile/out.md", "cannot write afile/out.md: afile is not a folder")
    export_refused(capsys, "afile/sub/out.md", "cannot write afile/sub/out.md: afile is not a folder")
    export_refused(capsys, "missing/sub/out.md", "cannot write missing/sub/out.md: missing/sub does not exist")
    assert made == [] and sorted(os.listdir(tmp_path)) == ["afile"] and (tmp_path / "afile").read_text() == "mine"


def test_a_file_replaced_keeps_its_permissions_and_a_new_one_has_a_new_file_s(tmp_path: Path) -> None:
    kept = tmp_path / "kept.md"
    kept.write_text("old")
    kept.chmod(0o640)
    write_atomically(kept, "new", overwrite=True)
    assert kept.read_text() == "new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    mask = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.md", "new")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640  # 0666 less the umask


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_the_what_if_save_refuses_the_same_names(tmp_path: Path) -> None:
    from stepnet.whatif import SaveError, save

    s = scenario_file.load(MAZUR)
    link = tmp_path / "link.toml"
    link.symlink_to(tmp_path / "nowhere.toml")  # dangling: Path.exists says no
    with pytest.raises(SaveError, match="is not a regular file"):
        save(s, [], link)
    with pytest.raises(SaveError, match="as a folder's name does"):
        save(s, [], f"{tmp_path}/newdir/")
    assert os.listdir(tmp_path) == ["link.toml"] and not (tmp_path / "nowhere.toml").exists()


def test_unwritable_is_an_os_error_every_writer_already_reports() -> None:
    with pytest.raises(Unwritable) as refused:
        write_atomically("", "x")
    assert isinstance(refused.value, OSError)
    assert str(refused.value) == "cannot write to an empty name: give a file name"


# --- reading: never more than the limit, whatever a file's size says ----------------------

#: a regular file whose size says 0 bytes, and which holds thousands: this process's memory map
PROC = Path("/proc/self/maps")
needs_proc = pytest.mark.skipif(not PROC.is_file(), reason="needs Linux's /proc")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_reading_stops_one_byte_past_the_limit(tmp_path: Path) -> None:
    """A pipe that never ends (until its reader goes) is read as far as the limit and a byte."""
    pipe = tmp_path / "endless"
    os.mkfifo(pipe)
    written = []

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), pipe.open("wb") as f:
            for _ in range(10_000):  # 640 MB at most, should the reader not stop
                written.append(f.write(b"x" * 65_536))

    writer = threading.Thread(target=write)
    writer.start()
    with pytest.raises(TooLarge, match="^at least 101 bytes$"):
        read_at_most(pipe, 100)
    writer.join(10)
    assert not writer.is_alive() and sum(written) < 10_000 * 65_536


@needs_proc
def test_a_scenario_whose_size_says_0_is_read_only_to_its_limit() -> None:
    with pytest.raises(ScenarioError, match="the file has at least 101 bytes, more than the limit of 100 "):
        scenario_file.read_text(PROC, Limits(file_bytes=100))


@needs_proc
def test_a_csv_or_json_trace_whose_size_says_0_is_read_only_to_the_limit(tmp_path: Path) -> None:
    """Both were read whole: the .csv then refused as not numbers, the JSON as not JSON."""
    (tmp_path / "maps.csv").symlink_to(PROC)
    scenario = tmp_path / "s.toml"
    scenario.write_text(MAZUR.read_text().split("[data]")[0] + '[data]\nfile = "maps.csv"\n')
    with pytest.raises(ScenarioError, match=r"data\.file: maps has at least 101 bytes, more than the limit of 100 "):
        scenario_file.load(scenario, Limits(data_bytes=100))
    s = scenario_file.load(MAZUR)
    (tmp_path / "t.json").symlink_to(PROC)
    with pytest.raises(ScenarioError, match="t.json: the file has at least 101 bytes, more than the limit of 100 "):
        traces.comparison(tmp_path / "t.json", s.debugger().program, s.notation, Tolerance(), Limits(data_bytes=100))
