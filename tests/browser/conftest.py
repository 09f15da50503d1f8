"""Browser journeys: the `browser` and `page` fixtures (Debian's chromium driven by
Playwright, never a downloaded browser) and the live server are in tests/conftest.py."""
