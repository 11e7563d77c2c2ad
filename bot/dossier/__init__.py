"""Dossier drafts: the pre-filled form, the checklist, codes and secret links, the CCCD QR reader.

- ``codes``: ``new_code(procedure_id, rng=None)``, ``normalize_code(text) -> CodeCheck``, ``find_code(text)``,
  ``is_valid``, ``hash_token``/``token_matches`` (constant time).
- ``draft``: ``build_draft(...) -> DraftContent`` (pure), ``DraftContent.to_json(code)`` (schema ``schema.json``).
- ``render``: ``render_html``, ``render_pdf`` (sync, CPU-bound: call in a thread), ``render_checklist_text``.
- ``cccd``: ``decode_cccd(bytes) -> CccdData | CccdFailure`` (never raises), ``cccd_to_fields``.
- ``service``: storage effects and look-ups (the lead's runtime side).
"""
