"""Harken's front ends: the ``harken`` command and (later) the Qt tray application."""
