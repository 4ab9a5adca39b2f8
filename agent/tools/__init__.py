"""The agent's built-in tools.

    Bash, BashOutput, KillShell   shell commands, foreground and background   (bash.py)
    Glob, Grep                    find files by name and by content           (glob.py, grep.py)
    Read, Edit, Write             files, with the read-before-change rule     (read.py, ...)
    WebFetch                      one web page as untrusted text              (webfetch.py)
    TodoWrite                     the session's task list                     (todo.py)
    memory                        Anthropic's memory tool over /memories      (memory.py)
    SessionSearch                 full-text search of past sessions           (session_search.py)
    Skill                         a skill's instructions, loaded when needed  (skill.py)
    Undo                          take back Write/Edit changes (checkpoints)  (undo.py)
    AskUserQuestion               ask the user, by voice, click or terminal   (ask_user.py)

Shared parts: ``base`` (the Tool interface), ``context`` (per-session state), ``files``,
``shell``, ``walk`` and ``truncate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic loads with the first tool, not with the package (idle tray)
    from agent.tools.base import Tool


def default_tools() -> list[Tool]:
    """The built-in tools, in the order the model sees them."""
    from agent.tools.ask_user import ASK_USER_QUESTION
    from agent.tools.bash import BASH, BASH_OUTPUT, KILL_SHELL
    from agent.tools.edit import EDIT
    from agent.tools.glob import GLOB
    from agent.tools.grep import GREP
    from agent.tools.memory import MEMORY
    from agent.tools.read import READ
    from agent.tools.session_search import SESSION_SEARCH
    from agent.tools.skill import SKILL
    from agent.tools.todo import TODO_WRITE
    from agent.tools.undo import UNDO
    from agent.tools.webfetch import WEB_FETCH
    from agent.tools.write import WRITE

    return [
        BASH,
        GLOB,
        GREP,
        READ,
        EDIT,
        WRITE,
        WEB_FETCH,
        TODO_WRITE,
        BASH_OUTPUT,
        KILL_SHELL,
        MEMORY,
        SESSION_SEARCH,
        SKILL,
        UNDO,
        ASK_USER_QUESTION,
    ]


__all__ = ["default_tools"]
