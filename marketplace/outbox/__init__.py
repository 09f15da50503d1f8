"""The email outbox: mails are stored with the change that causes them, then delivered."""
