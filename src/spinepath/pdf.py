"""Render a template to PDF with WeasyPrint (imported only when a PDF is asked for)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class PdfUnavailableError(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are missing on this machine."""


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template_name, context)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise PdfUnavailableError(
            "PDF output needs WeasyPrint and the Pango library (apt-get install libpango-1.0-0)."
        ) from exc
    return bytes(HTML(string=html).write_pdf())


def pdf_response(
    request: HttpRequest, template_name: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    try:
        body = render_pdf(template_name, context)
    except PdfUnavailableError as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
