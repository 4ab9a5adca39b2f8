"""Harken's agent runtime: the query engine, tools, permissions and sessions.

Qt-free and audio-free; front ends (the desktop app, the CLI, tests) drive a
``agent.session.Session`` and listen to its ``agent.events``.
"""
