"""A scenario's free text (title, description, source) is shown, never obeyed: its terminal
escapes reach no terminal, from any command's output, nor from the debugger's screen, where
brackets in it are not markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepnet import scenario as scenario_file
from stepnet.cli import main
from stepnet.errors import ScenarioError

BASE = Path(__file__).parent / "bad_scenarios" / "valid" / "base.toml"
#: clears the screen, retitles the terminal (OSC 0 … BEL), and a bracket pair Rich would read as markup
HOSTILE = r'"\u001b[2J\u001b]0;owned\u0007 [bold]x[/]"'
ESCAPED = "\\x1b[2J\\x1b]0;owned\\x07 [bold]x[/]"


def hostile(folder: Path) -> Path:
    """The corpus's valid scenario with a hostile title, description and source."""
    text = BASE.read_text(encoding="utf-8").split("\n", 2)[2]  # its comment and title
    path = folder / "hostile.toml"
    path.write_text(f"title = {HOSTILE}\ndescription = \"one\\ntwo {HOSTILE[1:-1]}\"\nsource = {HOSTILE}\n{text}",
                    encoding="utf-8")
    return path


def test_the_loaded_text_escapes_control_characters_and_keeps_the_description_s_lines(tmp_path: Path) -> None:
    s = scenario_file.load(hostile(tmp_path))
    assert s.title == s.source == ESCAPED
    assert s.description == f"one\ntwo {ESCAPED}"


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\u200b", "\ufeff", "\x1b", "\x85"])
def test_a_source_s_name_with_an_invisible_or_control_character_is_refused(tmp_path: Path,
                                                                          character: str) -> None:
    """`check` printed a name holding U+202E with the text after it reversed: a name is printed
    everywhere, as it is written."""
    path = tmp_path / "named.toml"
    name = f'"z\\u{ord(character):04x}q"'  # as TOML escapes it: the file itself holds no such character
    path.write_text(BASE.read_text(encoding="utf-8") + f"[notation.names]\n{name} = \"z1\"\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        scenario_file.load(path)
    message = str(refused.value)
    assert message.startswith(f'{path}: notation.names."z\\') and character not in message
    assert message.endswith('q": a name has no spaces, brackets, |, <, >, =, commas, control or invisible '
                            "characters, and starts with neither a digit nor a minus")


def test_a_description_s_tabs_show_as_space_and_its_other_characters_escaped(tmp_path: Path) -> None:
    """A tab showed as a literal `\\t`; the title, one line, escapes it still."""
    path = tmp_path / "tabs.toml"
    path.write_text('title = "a\\tb\\u202e"\ndescription = """\ncol\tumn\\u202e\n"""\n'
                    + BASE.read_text(encoding="utf-8").split("\n", 2)[2], encoding="utf-8")
    s = scenario_file.load(path)
    assert s.description == "col" + " " * (8 - len("col")) + "umn\\u202e\n"
    assert s.title == "a\\tb\\u202e"


@pytest.mark.parametrize("command", [["check"], ["train", "-n", "2"], ["gradcheck"], ["trace"], ["export"],
                                     ["export", "--format", "latex"], ["trace", "--format", "json"],
                                     ["check", "--format", "json"]])
def test_no_command_writes_a_control_character_from_the_scenario(command: list[str], tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status = main([*command, str(hostile(tmp_path))])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "owned" in out or command == ["trace"]  # the title is shown, as text (trace's text shows none)


async def test_the_debugger_shows_the_title_as_text(tmp_path: Path) -> None:
    from stepnet.tui.app import StepnetApp
    from stepnet.tui.screens.training import TrainingScreen

    app = StepnetApp(scenario_file.load(hostile(tmp_path)))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert app.sub_title == ESCAPED
        app.push_screen(TrainingScreen(app.session, 2))  # it wrote the title as markup
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        title = str(app.screen.query_one("#training-title").render())
        assert title.endswith(ESCAPED)
