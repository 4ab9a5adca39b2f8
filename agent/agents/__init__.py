"""Subagents and the coordinator: one job split over several conversations.

    definitions.py  agent types: the built-in explore, plan and general-purpose, and
                    custom agents from Markdown files with front matter (name,
                    description, tools, model) in $XDG_CONFIG_HOME/harken/agents/ and
                    <workspace>/.harken/agents/ (once trusted; never a built-in name)
    texts.py        the system prompts of the built-in types and of the coordinator
    workers.py      ``Subagents``: the subagents of one parent session. Each runs its own
                    Session (own transcript under <parent id>/subagents/), shares the
                    parent's permission engine, asks its questions through the parent,
                    adds its usage to the parent's, and is cancelled with it
    events.py       ``TaskUpdate``: a worker started, moved on or ended (for task views)
    budget.py       a spending limit for a whole job, enforced at every model request
    coordinator.py  coordinator mode: a session whose only tools are Agent, SendMessage
                    and TaskStop, fed its workers' reports as <task-notification> messages
    factory.py      the Agent tool added to a session (``Session`` does it for its
                    built-in tool set), and coordinator jobs
    planning.py     deep planning: a read-only plan-mode run with explore and plan
                    subagents, saved under <data dir>/plans/

The tools themselves (Agent, SendMessage, TaskStop) are in ``agent.tools.agent_tools``.

May import: the rest of ``agent`` (session, config, model, tools, permissions, events,
usage, paths, transcript, hooks.trust). Never ``desktop`` or ``audio``, and no Qt.
"""

from __future__ import annotations

from agent.agents.definitions import AgentDefinition, AgentFileError, Catalog, load_catalog

__all__ = ["AgentDefinition", "AgentFileError", "Catalog", "load_catalog"]
