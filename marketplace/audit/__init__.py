"""The audit log: sensitive actions (role and access changes, deactivation and account
closure, awards, refunds, exports of contacts, API keys) recorded with who did them,
on what, and when, for the administrators to read. It sits low (it knows no model but
its own), so that every area records into it."""
