"""Shared fixtures of the security tests: one chromium page that records every script a payload
could run (a dialog, or `window.__pwned` set) and every Content-Security-Policy violation."""

import os
import shutil
from dataclasses import dataclass, field

import pytest

from tests.ingest.conftest import run_import  # noqa: F401 — the import tests' fixture, shared here

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")

# Reported by the page itself: a listener installed before any script of ours runs.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(
    e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@dataclass
class Watched:
    """A chromium page and what it saw: dialogs opened and console lines of refused content."""

    page: object
    dialogs: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def pwned(self) -> bool:
        """Whether a payload set `window.__pwned` in the current document."""
        return bool(self.page.evaluate("Boolean(window.__pwned)"))

    def violations(self) -> list[str]:
        """CSP violations reported by the current document, and console refusals seen so far."""
        return list(self.page.evaluate("window.__cspViolations || []")) + self.refused


@pytest.fixture
def watched_page():
    """A chromium page (French, 1280 px) that dismisses and records every dialog."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        watched = Watched(page)

        def on_dialog(dialog):
            watched.dialogs.append(f"{dialog.type}: {dialog.message} at {page.url}")
            dialog.dismiss()

        def on_console(message):
            if "Refused to" in message.text or "Content Security Policy" in message.text:
                watched.refused.append(f"{page.url}: {message.text}")

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.add_init_script(WATCH_VIOLATIONS)
        yield watched
        browser.close()
