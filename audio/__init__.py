"""Harken's ears and mouth: capture, transcription and speech. Qt-free; imports no agent code."""
