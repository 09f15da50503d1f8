"""The legal and trust pages: legal notice, terms of use, privacy policy, cookies,
accessibility statement (drafts for the operator to complete; details are settings)."""
