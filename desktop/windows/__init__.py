"""Harken's windows, each a widget the app builds and feeds on the GUI thread.

``conversation`` shows a session (heard words, the streamed markdown answer, one line per
tool call that opens to its input and output, usage and cost) and takes typed requests;
``permission`` asks about one tool call (summary, risk and why, a diff for Write and Edit,
the full input; Allow once / Always allow / Deny); ``settings`` is generated from
``agent.config.SETTINGS`` and saves through ``agent.config_file``; ``overlay`` is the
recording pill (level meter, transcribing, the transcript with its grace period); ``mini``
stands in for the tray where there is none. Their parts: ``conversation_layout`` (the
conversation's widgets), ``entries`` (its pieces), ``history`` (a resumed session retold as
events), ``memory_list`` (the Memory window's notes), ``markdown``, ``prompt_box``,
``diff_preview`` (Qt-free) and ``diff_view``, ``setting_editors``, and ``style`` (colours
and fonts from the desktop's palette).
"""
