"""Package data: prompts, icons, sounds. Read with ``importlib.resources``."""

from importlib.resources import files


def read_text(relative: str) -> str:
    """The text of a resource file, e.g. ``read_text("prompts/system.md")``."""
    return files(__name__).joinpath(relative).read_text(encoding="utf-8")
