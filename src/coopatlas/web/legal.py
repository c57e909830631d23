"""The pages French public-sector sites link from every footer: legal notice, accessibility
statement and personal data."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _publisher() -> dict[str, str]:
    """Who publishes the atlas, as configured (empty strings say « à renseigner » on the page)."""
    return {
        "publisher": settings.SITE_PUBLISHER,
        "director": settings.SITE_PUBLICATION_DIRECTOR,
        "hosting": settings.SITE_HOSTING,
        "contact_email": settings.SITE_CONTACT_EMAIL,
    }


def legal_notice(request: HttpRequest) -> HttpResponse:
    """Mentions légales: publisher, director of publication, host, licences."""
    return render(request, "web/legal_notice.html", _publisher())


def accessibility(request: HttpRequest) -> HttpResponse:
    """Déclaration d'accessibilité (RGAA): what was tested, what is not yet conformant."""
    return render(request, "web/accessibility.html", _publisher())


def personal_data(request: HttpRequest) -> HttpResponse:
    """Données personnelles: what is stored, why, for how long, whom to ask, the visitor's rights."""
    context = _publisher() | {
        "upload_hours": settings.UPLOAD_MAX_AGE // 3600,
        "session_days": settings.SESSION_COOKIE_AGE // 86400,
        "csrf_days": settings.CSRF_COOKIE_AGE // 86400,
        "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "web/personal_data.html", context)
