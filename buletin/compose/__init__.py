"""Turning documents into bodies: macros, Markdown, chart blocks, figures, links."""
