"""Where personal data lives: every text and JSON column of every table, classified.

A column is PERSONAL when it can hold a citizen's words or identifiers (names, ID numbers, phones, addresses,
platform user ids, free text). Each entry says what deletion on request (``deletion.py``) and the retention job
(``retention.py``) do to it. Every other text/JSON column is in NOT_PERSONAL with the reason it names no
citizen. ``tests/integration/test_privacy_registry.py`` fails when a model gains a text/JSON column that is in
neither list, and checks every PERSONAL column after a deletion and after retention.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.engine import events as ev


@dataclass(frozen=True, slots=True)
class Personal:
    """What happens to one personal column on a deletion request and by retention."""

    on_request: str
    by_retention: str


PERSONAL: dict[tuple[str, str], Personal] = {
    ("conversations", "external_id"): Personal(
        "replaced by a random `erased-…` id: the anonymous row stays for the counts; a new message starts a new "
        "conversation",
        "replaced the same way once the conversation is idle past the cutoff and no live draft needs it"),
    ("conversations", "state"): Personal(
        "reset by the engine (answers, fields, contact, pending question all go)",
        "emptied when idle past the cutoff"),
    ("conversations", "display_name"): Personal("cleared", "cleared when idle past the cutoff"),
    ("transcript", "text"): Personal("rows deleted", "rows older than the cutoff deleted"),
    ("transcript", "body"): Personal("rows deleted", "rows older than the cutoff deleted"),
    ("outbox", "recipient"): Personal(
        "sent rows deleted; the unsent deletion confirmation of a push channel stays until delivered, then the "
        "next retention run deletes it",
        "rows older than the cutoff deleted (sent or not), and sent rows of erased conversations at once"),
    ("outbox", "body"): Personal("as recipient", "as recipient"),
    ("outbox", "last_error"): Personal("as recipient", "as recipient"),
    ("events", "data"): Personal(
        "emptied for the event types in PERSONAL_EVENT_TYPES; other types keep only ids, reasons and ratings "
        "(what reports count)",
        "the same for handled events older than the cutoff"),
    ("drafts", "data"): Personal("forgotten (drafts.py)", "forgotten 'cutoff' after the last change"),
    ("drafts", "token_hash"): Personal("forgotten (drafts.py)", "forgotten 'cutoff' after the last change"),
    ("drafts", "official_number"): Personal("forgotten (drafts.py)", "forgotten 'cutoff' after the last change"),
    ("draft_history", "note"): Personal("cleared with the draft", "cleared with the draft"),
    ("draft_history", "official_number"): Personal("cleared with the draft", "cleared with the draft"),
    ("handoff_notes", "text"): Personal("rows deleted", "rows older than the cutoff deleted"),
    ("handoffs", "callback_phone"): Personal(
        "cleared; an open ticket is closed (audit `data_deleted`) and stays for the handoff counts", "cleared on tickets requested before the cutoff"),
    ("training_examples", "text"): Personal(
        "examples an admin labelled from this conversation's messages deleted",
        "examples whose source message is older than the cutoff deleted"),
    ("assisted_citizens", "citizen_name"): Personal("row deleted", "rows older than the cutoff deleted"),
    ("assisted_citizens", "phone"): Personal("row deleted", "rows older than the cutoff deleted"),
}

_ID = "an identifier or label from the catalog, flows or configuration"
_STAFF = "staff account or action, not a citizen"
NOT_PERSONAL: dict[tuple[str, str], str] = {
    ("conversations", "channel"): _ID, ("conversations", "mode"): _ID, ("conversations", "procedure_id"): _ID,
    ("conversations", "step_id"): _ID, ("conversations", "team"): _ID,
    ("inbox", "channel"): _ID,
    ("inbox", "message_id"): "the platform's id of one message (a counter or random id); names no one",
    ("transcript", "direction"): _ID, ("transcript", "sender"): "citizen | bot | agent | system",
    ("events", "type"): _ID, ("events", "team"): _ID,
    ("events", "commune"): "the 2025 code of the citizen's commune when the event was written (one of a province's "
                           "communes, like a team); kept after erasure so per-commune figures do not move",
    ("drafts", "commune"): "the 2025 code of the commune the draft is addressed to; kept when the draft is "
                           "forgotten (reports count it)",
    ("outbox", "channel"): _ID,
    ("drafts", "code"): "a random dossier code; once the draft is forgotten it leads to nothing",
    ("drafts", "procedure_id"): _ID, ("drafts", "status"): _ID, ("drafts", "team"): _ID,
    ("draft_history", "actor"): _STAFF, ("draft_history", "action"): _ID,
    ("draft_history", "from_status"): _ID, ("draft_history", "to_status"): _ID,
    ("draft_claims", "code"): "a random dossier code (see drafts.code)",
    # The receipt photo's bytes (draft_receipts.content, binary, so not listed) are personal: the rows are deleted
    # whenever the draft is forgotten, on request or by retention (drafts.py; tests/e2e/test_online_receipt.py).
    ("draft_receipts", "mime_type"): "the image format the bytes were recognised as (image/jpeg, image/png…)",
    ("draft_claims", "outcome"): _ID, ("draft_claims", "channel"): _ID,
    ("assisted_citizens", "officer"): _STAFF, ("assisted_citizens", "team"): _ID,
    ("kv", "key"): "shared worker values (platform access tokens), no citizen",
    ("kv", "value"): "shared worker values (platform access tokens), no citizen",
    ("console_sessions", "id"): "the SHA-256 of a staff member's session token; no citizen",
    ("console_sessions", "username"): _STAFF,
    ("console_sessions", "csrf"): "a random per-session anti-forgery token of a staff member; no citizen",
    ("teams", "id"): _ID, ("teams", "name"): _ID, ("teams", "working_hours"): _ID,
    ("teams", "telegram_chat_id"): "the team's own group chat",
    ("communes", "code"): _ID, ("communes", "name"): _ID, ("communes", "team"): _ID,
    ("communes", "working_hours"): _ID,
    ("communes", "address"): "the commune office's public address, set by an admin",
    ("communes", "phone"): "the commune office's public phone, set by an admin",
    ("communes", "notes"): "an admin's notes about the commune's desk (no citizen in them)",
    ("agents", "username"): _STAFF, ("agents", "display_name"): _STAFF, ("agents", "password_hash"): _STAFF,
    ("agents", "role"): _STAFF, ("agents", "team"): _ID,
    ("handoffs", "team"): _ID, ("handoffs", "reason"): _ID, ("handoffs", "procedure_id"): _ID,
    ("handoffs", "step_id"): _ID, ("handoffs", "status"): _ID, ("handoffs", "claimed_by"): _STAFF,
    ("handoff_notes", "author"): _STAFF,
    ("canned_replies", "team"): _ID, ("canned_replies", "title"): "ready answers staff wrote",
    ("canned_replies", "text"): "ready answers staff wrote",
    ("audit", "actor"): _STAFF, ("audit", "action"): _ID,
    ("audit", "details"): "counts, field ids, steps and staff names only, never a value (handoff/service.py)",
    ("content_versions", "author"): _STAFF, ("content_versions", "message"): _STAFF,
    ("content_versions", "files"): "published catalog and flows", ("content_versions", "digest"): _ID,
    ("training_examples", "label"): _ID, ("training_examples", "author"): _STAFF,
    ("daily_report_files", "scope"): _ID, ("daily_report_files", "title"): "a day and a commune's name",
    ("daily_report_files", "filename"): "a day and a commune's code", ("daily_report_files", "sent_to"): _ID,
    ("daily_report_files", "send_error"): "an HTTP status or error class",
}

# Event types whose data carries a citizen's words or identifiers (free text, phone, form values, a claim's
# phone digest); their data is emptied. Every other type's data holds only ids, reasons, counts and ratings.
_T = ev.EventType
PERSONAL_EVENT_TYPES: frozenset[str] = frozenset(t.value for t in (
    _T.UNRECOGNIZED, _T.CITIZEN_MESSAGE_FOR_AGENT, _T.CALLBACK_REQUESTED, _T.DRAFT_REQUESTED,
    _T.DRAFT_CLAIM_REQUESTED, _T.ONLINE_FILED,   # the portal's dossier code, kept on the draft as its number
))
ANONYMOUS_EVENT_TYPES: frozenset[str] = frozenset(t.value for t in (
    _T.PROCEDURE_IDENTIFIED, _T.CLARIFICATION_ASKED, _T.CLARIFICATION_FAILED, _T.STEP_COMPLETED,
    _T.DOCUMENTS_REACHED, _T.DOCUMENT_MISSING, _T.FIELDS_REACHED, _T.FIELD_COLLECTED, _T.FIELD_REJECTED,
    _T.REVIEW_REACHED, _T.HANDOFF_REQUESTED, _T.HANDOFF_CANCELLED, _T.AGENT_CLAIMED, _T.AGENT_RETURNED,
    _T.AGENT_CLOSED, _T.RATING_GIVEN, _T.RESTARTED, _T.DATA_DELETION_REQUESTED, _T.DRAFTS_LISTED,
    _T.STATUS_ASKED, _T.SWITCH_OFFERED, _T.ELSEWHERE_REFERRED, _T.CHECK_FAILED, _T.COMMUNE_NOTED,
    _T.ONLINE_CHOSEN, _T.ONLINE_STEP_SHOWN, _T.ONLINE_STUCK,   # the draft's code, the way chosen, a guide step id
))
# The keys events of ANONYMOUS_EVENT_TYPES carry (the test checks what a real conversation stores against it).
ANONYMOUS_EVENT_KEYS: frozenset[str] = frozenset({
    "procedure_id", "step_id", "field_id", "field_type", "doc_id", "count", "confidence", "reason", "rating",
    "candidates", "failures", "current", "id", "source", "agent", "check_id", "code", "choice",
})

ERASED_PREFIX = "erased-"
