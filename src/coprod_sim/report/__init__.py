"""The comparison report: one self-contained HTML file a policymaker can read
without Python (figures embedded as base64, tables, a plain-language summary
that states uncertainty and names the assumptions). No model logic here: it
renders what `compare` computed."""

from .render import write_report

__all__ = ["write_report"]
