"""Harken's front ends: the ``harken`` command and the Qt tray application.

    cli.py, cli_*.py    the ``harken`` console script and its subcommands (``ask``, ``chat``,
                        ``permissions``, ``ptt``, ``doctor``...); ``terminal`` renders a
                        turn's events on a terminal
    app.py              the tray app: the icon first, then the agent, voice and windows
    controller.py       the switchboard: every input runs the state machine (``state``)
    hotkeys/            the global push-to-talk key, one backend per platform
    windows/, buddy/    the conversation, overlay, permission and settings windows; the pet
    sessions.py         building an agent session, shared by the terminal and the tray

Imports point one way: ``desktop`` may import ``agent`` and ``audio``, which never import
``desktop``. The command modules, ``state``, ``sessions`` and ``hotkeys`` import no Qt, so
``harken ask`` starts without it; modules that show something import PySide6, and heavy
libraries (the ``anthropic`` SDK, Whisper) load only inside the functions that need them.
"""
